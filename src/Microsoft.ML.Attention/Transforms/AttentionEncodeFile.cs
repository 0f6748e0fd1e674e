using System.Text.Json;
using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// An <see cref="AttentionEncodeTransformer"/> in a model file: <c>settings.json</c> (version, the
/// <see cref="AttentionEncodeOptions"/> it was trained with, vocabulary size and outputs), <c>weights.safetensors</c> (the encoder's <c>state_dict</c>, loadable in PyTorch) and, for text input,
/// <c>vocabulary.json</c> (the words by id). Every value read back is checked before a model is built from it.
/// </summary>
internal static class AttentionEncodeFile
{
    /// <summary>The settings version this build writes and the one it reads (2: the estimator's options, serialized whole).</summary>
    public const int Version = 2;

    public static void Write(AttentionEncodeTransformer transformer, string folder, Action<string, byte[]> add)
    {
        AttentionEncoderModel model = transformer.Model;
        var settings = new AttentionEncodeFileSettings(Version, transformer.Options, model.VocabularySize, model.Outputs);
        add($"{folder}/{ModelPartFiles.SettingsName}", JsonSerializer.SerializeToUtf8Bytes(settings, AttentionFileJson.Default.AttentionEncodeFileSettings));
        ModelPartFiles.WriteWeights(model, folder, add);
        if (transformer.Vocabulary is { } vocabulary)
        {
            ModelPartFiles.WriteVocabulary(vocabulary, folder, add);
        }
    }

    /// <summary>Rebuilds the transformer from its entries; <paramref name="damaged"/> makes the exception for anything wrong.</summary>
    public static AttentionEncodeTransformer Read(string folder, Func<string, byte[]> readEntry, Func<string, Exception> damaged)
    {
        string settingsEntry = $"{folder}/{ModelPartFiles.SettingsName}";
        AttentionEncodeFileSettings settings = ModelPartFiles.ReadSettings(folder, "AttentionEncode", Version, AttentionFileJson.Default.AttentionEncodeFileSettings, readEntry, damaged);
        AttentionEncodeOptions options = settings.Options ?? throw damaged($"'{settingsEntry}' has no options");
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw damaged($"'{settingsEntry}' is inconsistent: {e.Message}");
        }

        string? problem = Check(options, settings.VocabularySize, settings.Outputs);
        if (problem is not null)
        {
            throw damaged($"'{settingsEntry}' is inconsistent: {problem}");
        }

        Vocabulary? vocabulary = options.IsTextInput ? ModelPartFiles.ReadVocabulary(folder, settings.VocabularySize, readEntry, damaged) : null;

        // Every weight is overwritten from the file; the generator only fills the tensors first.
        var encoder = new AttentionEncoderModel(options, settings.VocabularySize, settings.Outputs, new Random(0));
        ModelPartFiles.ReadWeights(encoder, folder, readEntry, damaged);
        return new AttentionEncodeTransformer(encoder, vocabulary);
    }

    private static string? Check(AttentionEncodeOptions o, int vocabularySize, int outputs)
    {
        if (o.IsTextInput ? vocabularySize <= 2 : vocabularySize != 0)
        {
            return $"vocabulary size {vocabularySize} does not fit {(o.IsTextInput ? "text input (more than 2 words)" : "vector input (0)")}";
        }

        if (outputs <= 0)
        {
            return $"outputs {outputs} must be positive";
        }

        // Refuse sizes no real model has before allocating them (1 G parameters in any one matrix).
        const long limit = 1L << 30;
        long d = o.ModelDimension;
        if (vocabularySize * d > limit || d * o.FeedForwardDimension > limit || o.MaximumLength * d > limit || d * d * 3 > limit
            || o.Layers > 1024 || o.StepSize * d > limit || outputs * d > limit)
        {
            return $"the architecture (vocabulary {vocabularySize}, width {o.ModelDimension}, feed-forward {o.FeedForwardDimension}, {o.Layers} layers, length {o.MaximumLength}, step {o.StepSize}, {outputs} outputs) is implausibly large";
        }

        return null;
    }
}
