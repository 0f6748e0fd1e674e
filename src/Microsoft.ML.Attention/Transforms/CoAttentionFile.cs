using System.Text.Json;
using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// A <see cref="CoAttentionTransformer"/> in a model file: <c>settings.json</c>, <c>weights.safetensors</c> and
/// <c>vocabulary.json</c>. Every value read back is checked before a model is built.
/// </summary>
internal static class CoAttentionFile
{
    /// <summary>The settings version this build writes and reads.</summary>
    public const int Version = 1;

    public static void Write(CoAttentionTransformer transformer, string folder, Action<string, byte[]> add)
    {
        var settings = new CoAttentionFileSettings(Version, transformer.Options, transformer.Vocabulary.Count);
        add($"{folder}/{ModelPartFiles.SettingsName}", JsonSerializer.SerializeToUtf8Bytes(settings, AttentionFileJson.Default.CoAttentionFileSettings));
        ModelPartFiles.WriteWeights(transformer.Model, folder, add);
        ModelPartFiles.WriteVocabulary(transformer.Vocabulary, folder, add);
    }

    /// <summary>Rebuilds the transformer from its entries; <paramref name="damaged"/> makes the exception for anything wrong.</summary>
    public static CoAttentionTransformer Read(string folder, Func<string, byte[]> readEntry, Func<string, Exception> damaged)
    {
        string entry = $"{folder}/{ModelPartFiles.SettingsName}";
        CoAttentionFileSettings settings = ModelPartFiles.ReadSettings(folder, CoAttentionEstimator.Owner, Version, AttentionFileJson.Default.CoAttentionFileSettings, readEntry, damaged);
        CoAttentionOptions options = settings.Options ?? throw damaged($"'{entry}' has no options");
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException invalid)
        {
            throw damaged($"'{entry}' is inconsistent: {invalid.Message}");
        }

        const long limit = 1L << 30;
        long h = options.HiddenSize;
        if (settings.VocabularySize <= 2 || (long)settings.VocabularySize * options.EmbeddingDimension > limit || 24 * h * h > limit
            || 6 * h * options.EmbeddingDimension > limit || 2 * h * options.AttentionDimension > limit)
        {
            throw damaged($"'{entry}' is inconsistent: vocabulary {settings.VocabularySize}, embedding {options.EmbeddingDimension}, hidden {h}, attention {options.AttentionDimension}");
        }

        Vocabulary vocabulary = ModelPartFiles.ReadVocabulary(folder, settings.VocabularySize, readEntry, damaged);

        // Every weight is overwritten from the file; scoring draws no dropout.
        var model = new CoAttentionPairModel(options, settings.VocabularySize, new Random(0));
        ModelPartFiles.ReadWeights(model, folder, readEntry, damaged);
        return new CoAttentionTransformer(model, vocabulary);
    }
}
