using System.Text.Json;
using System.Text.Unicode;
using System.Text.Json.Nodes;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Serialization;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// An <see cref="AttentionEncodeTransformer"/> in a model file: <c>settings.json</c> (versioned columns, lengths and
/// architecture), <c>weights.safetensors</c> (the encoder's <c>state_dict</c>, loadable in PyTorch) and, for text input,
/// <c>vocabulary.json</c> (the words by id). Every value read back is checked before a model is built from it.
/// </summary>
internal static class AttentionEncodeFile
{
    /// <summary>The settings version this build writes and the newest it reads.</summary>
    public const int Version = 1;

    private const string SettingsName = "settings.json";
    private const string WeightsName = "weights.safetensors";
    private const string VocabularyName = "vocabulary.json";

    public static void Write(AttentionEncodeTransformer transformer, string folder, Action<string, byte[]> add)
    {
        AttentionEncodeSettings s = transformer.Settings;
        AttentionEncoderConfig c = transformer.Model.Config;
        var settings = new JsonObject
        {
            ["version"] = Version,
            ["outputColumnName"] = s.OutputColumnName,
            ["inputColumnName"] = s.InputColumnName,
            ["maximumLength"] = s.MaximumLength,
            ["truncateLongText"] = s.TruncateLongText,
            ["stepSize"] = s.StepSize,
            ["attentionWeightsColumnName"] = s.AttentionWeightsColumnName,
            ["tokensColumnName"] = s.TokensColumnName,
            ["model"] = new JsonObject
            {
                ["vocabularySize"] = c.VocabularySize,
                ["stepSize"] = c.StepSize,
                ["maxLength"] = c.MaxLength,
                ["modelDim"] = c.ModelDim,
                ["heads"] = c.Heads,
                ["layers"] = c.Layers,
                ["feedForwardDim"] = c.FeedForwardDim,
                ["dropout"] = c.Dropout,
                ["outputs"] = c.Outputs,
            },
        };
        add($"{folder}/{SettingsName}", JsonSerializer.SerializeToUtf8Bytes(settings, new JsonSerializerOptions { WriteIndented = true }));
        using (var weights = new MemoryStream())
        {
            SafeTensors.Write(weights, transformer.Model.StateDict(), new Dictionary<string, string> { ["format"] = "pt" });
            add($"{folder}/{WeightsName}", weights.ToArray());
        }

        if (transformer.Vocabulary is { } vocabulary)
        {
            add($"{folder}/{VocabularyName}", JsonSerializer.SerializeToUtf8Bytes(new JsonArray([.. vocabulary.Words.Select(w => JsonValue.Create(w))])));
        }
    }

    /// <summary>Rebuilds the transformer from its entries; <paramref name="damaged"/> makes the exception for anything wrong.</summary>
    public static AttentionEncodeTransformer Read(string folder, Func<string, byte[]> readEntry, Func<string, Exception> damaged)
    {
        string settingsEntry = $"{folder}/{SettingsName}";
        JsonElement root;
        try
        {
            byte[] bytes = readEntry(settingsEntry);
            if (!Utf8.IsValid(bytes))
            {
                throw damaged($"'{settingsEntry}' is not UTF-8 text");
            }

            using JsonDocument doc = JsonDocument.Parse(bytes);
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw damaged($"'{settingsEntry}' is not valid JSON ({e.Message})");
        }

        int version = Int(root, "version", settingsEntry, damaged);
        if (version > Version)
        {
            throw new NotSupportedException($"'{settingsEntry}' is AttentionEncode settings version {version}, written by a newer Microsoft.ML.Attention; this build reads up to version {Version}.");
        }

        JsonElement model = Property(root, "model", settingsEntry, damaged);
        var config = new AttentionEncoderConfig(
            Int(model, "vocabularySize", settingsEntry, damaged), Int(model, "stepSize", settingsEntry, damaged), Int(model, "maxLength", settingsEntry, damaged),
            Int(model, "modelDim", settingsEntry, damaged), Int(model, "heads", settingsEntry, damaged), Int(model, "layers", settingsEntry, damaged),
            Int(model, "feedForwardDim", settingsEntry, damaged), Float(model, "dropout", settingsEntry, damaged), Int(model, "outputs", settingsEntry, damaged));
        var settings = new AttentionEncodeSettings(
            String(root, "outputColumnName", settingsEntry, damaged)!, String(root, "inputColumnName", settingsEntry, damaged)!,
            Int(root, "maximumLength", settingsEntry, damaged), Bool(root, "truncateLongText", settingsEntry, damaged), Int(root, "stepSize", settingsEntry, damaged),
            String(root, "attentionWeightsColumnName", settingsEntry, damaged, optional: true), String(root, "tokensColumnName", settingsEntry, damaged, optional: true));
        string? problem = Check(settings, config);
        if (problem is not null)
        {
            throw damaged($"'{settingsEntry}' is inconsistent: {problem}");
        }

        Vocabulary? vocabulary = null;
        if (settings.IsTextInput)
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

            if (vocabulary.Count != config.VocabularySize)
            {
                throw damaged($"'{vocabularyEntry}' has {vocabulary.Count} words but the settings say {config.VocabularySize}");
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

        var encoder = new AttentionEncoderModel(config, new Random(0));
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

        return new AttentionEncodeTransformer(settings, encoder, vocabulary);
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

    private static string? Check(AttentionEncodeSettings s, AttentionEncoderConfig c)
    {
        if (string.IsNullOrWhiteSpace(s.OutputColumnName) || string.IsNullOrWhiteSpace(s.InputColumnName))
        {
            return "a column name is empty";
        }

        if (s.MaximumLength <= 0 || s.MaximumLength != c.MaxLength || s.StepSize < 0 || s.StepSize != c.StepSize)
        {
            return $"maximum length {s.MaximumLength}/{c.MaxLength} and step size {s.StepSize}/{c.StepSize} must be positive/non-negative and agree";
        }

        if (s.IsTextInput != c.IsTokenInput || (c.IsTokenInput && c.VocabularySize <= 2))
        {
            return $"text input needs a vocabulary of more than 2 words (vocabulary size {c.VocabularySize}, step size {c.StepSize})";
        }

        if (c.ModelDim <= 0 || c.Heads <= 0 || c.ModelDim % c.Heads != 0 || c.Layers <= 0 || c.FeedForwardDim <= 0 || c.Outputs <= 0
            || !(c.Dropout >= 0 && c.Dropout < 1))
        {
            return $"architecture {c} is not valid";
        }

        // Refuse sizes no real model has before allocating them (1 G parameters in any one matrix).
        const long limit = 1L << 30;
        if ((long)c.VocabularySize * c.ModelDim > limit || (long)c.ModelDim * c.FeedForwardDim > limit || (long)c.MaxLength * c.ModelDim > limit
            || (long)c.ModelDim * c.ModelDim * 3 > limit || c.Layers > 1024 || (long)c.StepSize * c.ModelDim > limit)
        {
            return $"architecture {c} is implausibly large";
        }

        return null;
    }

    private static JsonElement Property(JsonElement obj, string name, string entry, Func<string, Exception> damaged) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out JsonElement value)
            ? value
            : throw damaged($"'{entry}' has no '{name}'");

    private static int Int(JsonElement obj, string name, string entry, Func<string, Exception> damaged) =>
        Property(obj, name, entry, damaged) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt32(out int i)
            ? i
            : throw damaged($"'{entry}': '{name}' is not a whole number");

    private static float Float(JsonElement obj, string name, string entry, Func<string, Exception> damaged) =>
        Property(obj, name, entry, damaged) is { ValueKind: JsonValueKind.Number } v && v.TryGetSingle(out float f) && float.IsFinite(f)
            ? f
            : throw damaged($"'{entry}': '{name}' is not a number");

    private static bool Bool(JsonElement obj, string name, string entry, Func<string, Exception> damaged) =>
        Property(obj, name, entry, damaged).ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw damaged($"'{entry}': '{name}' is not true or false"),
        };

    private static string? String(JsonElement obj, string name, string entry, Func<string, Exception> damaged, bool optional = false)
    {
        JsonElement v = Property(obj, name, entry, damaged);
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Null when optional => null,
            _ => throw damaged($"'{entry}': '{name}' is not a string"),
        };
    }
}
