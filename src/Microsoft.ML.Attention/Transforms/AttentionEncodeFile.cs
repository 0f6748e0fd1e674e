using System.Text.Json;
using System.Text.Unicode;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Serialization;
using Microsoft.ML.Attention.Tensors;

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

    private const string SettingsName = "settings.json";
    private const string WeightsName = "weights.safetensors";
    private const string VocabularyName = "vocabulary.json";

    public static void Write(AttentionEncodeTransformer transformer, string folder, Action<string, byte[]> add)
    {
        AttentionEncoderModel model = transformer.Model;
        var settings = new AttentionEncodeFileSettings(Version, transformer.Options, model.VocabularySize, model.Outputs);
        add($"{folder}/{SettingsName}", JsonSerializer.SerializeToUtf8Bytes(settings, AttentionFileJson.Default.AttentionEncodeFileSettings));
        using (var weights = new MemoryStream())
        {
            SafeTensors.Write(weights, model.StateDict(), new Dictionary<string, string> { ["format"] = "pt" });
            add($"{folder}/{WeightsName}", weights.ToArray());
        }

        if (transformer.Vocabulary is { } vocabulary)
        {
            add($"{folder}/{VocabularyName}", JsonSerializer.SerializeToUtf8Bytes(vocabulary.Words, AttentionFileJson.Default.IReadOnlyListString));
        }
    }

    /// <summary>Rebuilds the transformer from its entries; <paramref name="damaged"/> makes the exception for anything wrong.</summary>
    public static AttentionEncodeTransformer Read(string folder, Func<string, byte[]> readEntry, Func<string, Exception> damaged)
    {
        string settingsEntry = $"{folder}/{SettingsName}";
        AttentionEncodeFileSettings settings;
        try
        {
            byte[] bytes = readEntry(settingsEntry);
            if (!Utf8.IsValid(bytes))
            {
                throw damaged($"'{settingsEntry}' is not UTF-8 text");
            }

            // The version first, so that a newer file is named as such rather than as malformed.
            using (JsonDocument doc = JsonDocument.Parse(bytes))
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("version", out JsonElement v) || !v.TryGetInt32(out int version))
                {
                    throw damaged($"'{settingsEntry}' has no whole-number 'version'");
                }

                if (version > Version)
                {
                    throw new NotSupportedException($"'{settingsEntry}' is AttentionEncode settings version {version}, written by a newer Microsoft.ML.Attention; this build reads up to version {Version}.");
                }

                if (version < Version)
                {
                    throw damaged($"'{settingsEntry}' is AttentionEncode settings version {version}; this build reads version {Version} (files of a pre-release)");
                }
            }

            settings = JsonSerializer.Deserialize(bytes, AttentionFileJson.Default.AttentionEncodeFileSettings)
                ?? throw damaged($"'{settingsEntry}' is null");
        }
        catch (JsonException e)
        {
            throw damaged($"'{settingsEntry}' is not valid settings JSON ({e.Message})");
        }

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

        Vocabulary? vocabulary = null;
        if (options.IsTextInput)
        {
            string vocabularyEntry = $"{folder}/{VocabularyName}";
            try
            {
                byte[] bytes = readEntry(vocabularyEntry);
                if (!Utf8.IsValid(bytes))
                {
                    throw damaged($"'{vocabularyEntry}' is not UTF-8 text");
                }

                using JsonDocument doc = JsonDocument.Parse(bytes);
                if (doc.RootElement.ValueKind != JsonValueKind.Array || doc.RootElement.EnumerateArray().Any(w => w.ValueKind != JsonValueKind.String))
                {
                    throw damaged($"'{vocabularyEntry}' is not an array of words");
                }

                vocabulary = new Vocabulary([.. doc.RootElement.EnumerateArray().Select(w => w.GetString()!)]);
            }
            catch (Exception e) when (e is JsonException or ArgumentException)
            {
                throw damaged($"'{vocabularyEntry}' is not a vocabulary ({e.Message})");
            }

            if (vocabulary.Count != settings.VocabularySize)
            {
                throw damaged($"'{vocabularyEntry}' has {vocabulary.Count} words but the settings say {settings.VocabularySize}");
            }
        }

        string weightsEntry = $"{folder}/{WeightsName}";
        byte[] weightBytes = readEntry(weightsEntry);
        Dictionary<string, Tensor> state;
        try
        {
            using var weights = new MemoryStream(weightBytes, writable: false);
            state = SafeTensors.Read(weights, weightBytes.Length);
        }
        catch (InvalidDataException e)
        {
            throw damaged($"'{weightsEntry}': {e.Message}");
        }

        // Every weight is overwritten from the file; the generator only fills the tensors first.
        var encoder = new AttentionEncoderModel(options, settings.VocabularySize, settings.Outputs, new Random(0));
        try
        {
            encoder.LoadStateDict(state, strict: true);
        }
        catch (ArgumentException e)
        {
            throw damaged($"'{weightsEntry}' does not fit the model its settings describe: {e.Message}");
        }

        if (state.Values.Any(t => !AllFinite(t)))
        {
            throw damaged($"'{weightsEntry}' holds non-finite weights");
        }

        return new AttentionEncodeTransformer(encoder, vocabulary);
    }

    private static bool AllFinite(Tensor t)
    {
        foreach (float v in t.AsSpan())
        {
            if (!float.IsFinite(v))
            {
                return false;
            }
        }

        return true;
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
