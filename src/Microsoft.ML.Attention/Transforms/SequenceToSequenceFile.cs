using System.Text.Json;
using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// A <see cref="SequenceToSequenceTransformer"/> in a model file: <c>settings.json</c> (version, options, vocabulary
/// sizes), <c>weights.safetensors</c>, <c>source-vocabulary.json</c> and <c>target-vocabulary.json</c>. Every value read
/// back is checked before a model is built.
/// </summary>
internal static class SequenceToSequenceFile
{
    /// <summary>The settings version this build writes and reads.</summary>
    public const int Version = 1;

    private const string SourceVocabularyName = "source-vocabulary.json";
    private const string TargetVocabularyName = "target-vocabulary.json";

    public static void Write(SequenceToSequenceTransformer transformer, string folder, Action<string, byte[]> add)
    {
        var settings = new SequenceToSequenceFileSettings(Version, transformer.Options, transformer.SourceVocabularySize, transformer.TargetVocabularySize);
        add($"{folder}/{ModelPartFiles.SettingsName}", JsonSerializer.SerializeToUtf8Bytes(settings, AttentionFileJson.Default.SequenceToSequenceFileSettings));
        ModelPartFiles.WriteWeights(transformer.Model, folder, add);
        ModelPartFiles.WriteVocabulary(transformer.SourceVocabulary, folder, add, SourceVocabularyName);
        ModelPartFiles.WriteVocabulary(transformer.TargetVocabulary, folder, add, TargetVocabularyName);
    }

    /// <summary>Rebuilds the transformer from its entries; <paramref name="damaged"/> makes the exception for anything wrong.</summary>
    public static SequenceToSequenceTransformer Read(string folder, Func<string, byte[]> readEntry, Func<string, Exception> damaged)
    {
        string entry = $"{folder}/{ModelPartFiles.SettingsName}";
        SequenceToSequenceFileSettings settings = ModelPartFiles.ReadSettings(folder, SequenceToSequenceEstimator.Owner, Version, AttentionFileJson.Default.SequenceToSequenceFileSettings, readEntry, damaged);
        SequenceToSequenceOptions options = settings.Options ?? throw damaged($"'{entry}' has no options");
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException invalid)
        {
            throw damaged($"'{entry}' is inconsistent: {invalid.Message}");
        }

        // Refuse sizes no real model has before allocating them (1 G parameters in any one matrix).
        const long limit = 1L << 30;
        long h = options.HiddenSize, e = options.EmbeddingDimension;
        if (settings.SourceVocabularySize <= SequenceToSequenceModel.FirstToken || settings.TargetVocabularySize <= SequenceToSequenceModel.FirstToken
            || (long)settings.SourceVocabularySize * e > limit || (long)settings.TargetVocabularySize * 2 * h > limit
            || 24 * h * h > limit || 8 * h * (e + 2 * h) > limit || 2 * h * options.AttentionDimension > limit)
        {
            throw damaged($"'{entry}' is inconsistent: vocabularies {settings.SourceVocabularySize} and {settings.TargetVocabularySize}, embedding {e}, hidden {h}, attention {options.AttentionDimension}");
        }

        Vocabulary source = ModelPartFiles.ReadVocabulary(folder, settings.SourceVocabularySize, readEntry, damaged, SourceVocabularyName);
        Vocabulary target = ModelPartFiles.ReadVocabulary(folder, settings.TargetVocabularySize, readEntry, damaged, TargetVocabularyName);

        // Every weight is overwritten from the file; the generator only fills the tensors first (scoring draws no dropout).
        var model = new SequenceToSequenceModel(options, settings.SourceVocabularySize, settings.TargetVocabularySize, new Random(0));
        ModelPartFiles.ReadWeights(model, folder, readEntry, damaged);
        return new SequenceToSequenceTransformer(model, source, target);
    }
}
