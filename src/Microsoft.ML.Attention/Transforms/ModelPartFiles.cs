using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Serialization;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// The entries every pack transformer writes into a model file's folder — <c>settings.json</c> (versioned),
/// <c>weights.safetensors</c> (the network's <c>state_dict</c>) and <c>vocabulary.json</c> — written and read back with
/// every value checked; <c>damaged</c> makes the exception that names the file.
/// </summary>
internal static class ModelPartFiles
{
    public const string SettingsName = "settings.json";
    public const string WeightsName = "weights.safetensors";
    public const string VocabularyName = "vocabulary.json";

    public static void WriteWeights(Module model, string folder, Action<string, byte[]> add)
    {
        using var weights = new MemoryStream();
        SafeTensors.Write(weights, model.StateDict(), new Dictionary<string, string> { ["format"] = "pt" });
        add($"{folder}/{WeightsName}", weights.ToArray());
    }

    public static void WriteVocabulary(Vocabulary vocabulary, string folder, Action<string, byte[]> add, string name = VocabularyName) =>
        add($"{folder}/{name}", JsonSerializer.SerializeToUtf8Bytes(vocabulary.Words, AttentionFileJson.Default.IReadOnlyListString));

    /// <summary>The settings of <paramref name="folder"/>: the version is read first, so a newer file is named as such rather than as malformed.</summary>
    public static T ReadSettings<T>(string folder, string what, int version, JsonTypeInfo<T> type, Func<string, byte[]> readEntry, Func<string, Exception> damaged)
        where T : class
    {
        string entry = $"{folder}/{SettingsName}";
        try
        {
            byte[] bytes = readEntry(entry);
            if (!Utf8.IsValid(bytes))
            {
                throw damaged($"'{entry}' is not UTF-8 text");
            }

            using (JsonDocument doc = JsonDocument.Parse(bytes))
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("version", out JsonElement v) || !v.TryGetInt32(out int found))
                {
                    throw damaged($"'{entry}' has no whole-number 'version'");
                }

                if (found > version)
                {
                    throw new NotSupportedException($"'{entry}' is {what} settings version {found}, written by a newer Microsoft.ML.Attention; this build reads up to version {version}.");
                }

                if (found < version)
                {
                    throw damaged($"'{entry}' is {what} settings version {found}; this build reads version {version} (files of a pre-release)");
                }
            }

            return JsonSerializer.Deserialize(bytes, type) ?? throw damaged($"'{entry}' is null");
        }
        catch (JsonException e)
        {
            throw damaged($"'{entry}' is not valid settings JSON ({e.Message})");
        }
    }

    /// <summary>The vocabulary of <paramref name="folder"/>, which must hold <paramref name="expectedCount"/> words.</summary>
    public static Vocabulary ReadVocabulary(string folder, int expectedCount, Func<string, byte[]> readEntry, Func<string, Exception> damaged, string name = VocabularyName)
    {
        string entry = $"{folder}/{name}";
        Vocabulary vocabulary;
        try
        {
            byte[] bytes = readEntry(entry);
            if (!Utf8.IsValid(bytes))
            {
                throw damaged($"'{entry}' is not UTF-8 text");
            }

            using JsonDocument doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.ValueKind != JsonValueKind.Array || doc.RootElement.EnumerateArray().Any(w => w.ValueKind != JsonValueKind.String))
            {
                throw damaged($"'{entry}' is not an array of words");
            }

            vocabulary = new Vocabulary([.. doc.RootElement.EnumerateArray().Select(w => w.GetString()!)]);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw damaged($"'{entry}' is not a vocabulary ({e.Message})");
        }

        return vocabulary.Count == expectedCount
            ? vocabulary
            : throw damaged($"'{entry}' has {vocabulary.Count} words but the settings say {expectedCount}");
    }

    /// <summary>Loads the weights of <paramref name="folder"/> into <paramref name="model"/>: every tensor present, of its shape, finite.</summary>
    public static void ReadWeights(Module model, string folder, Func<string, byte[]> readEntry, Func<string, Exception> damaged)
    {
        string entry = $"{folder}/{WeightsName}";
        byte[] bytes = readEntry(entry);
        Dictionary<string, Tensor> state;
        try
        {
            using var weights = new MemoryStream(bytes, writable: false);
            state = SafeTensors.Read(weights, bytes.Length);
        }
        catch (InvalidDataException e)
        {
            throw damaged($"'{entry}': {e.Message}");
        }

        LoadChecked(model, state, entry, damaged);
    }

    /// <summary>Loads <paramref name="state"/> into <paramref name="model"/>: every tensor present, of its shape, finite; <paramref name="damaged"/> words the error.</summary>
    public static void LoadChecked(Module model, IReadOnlyDictionary<string, Tensor> state, string entry, Func<string, Exception> damaged)
    {
        if (state.FirstOrDefault(p => !AllFinite(p.Value)) is { Key: not null } bad)
        {
            throw damaged($"'{entry}' holds non-finite weights ('{bad.Key}')");
        }

        try
        {
            model.LoadStateDict(state, strict: true);
        }
        catch (ArgumentException e)
        {
            throw damaged($"'{entry}' does not fit the model its settings describe: {e.Message}");
        }
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
}
