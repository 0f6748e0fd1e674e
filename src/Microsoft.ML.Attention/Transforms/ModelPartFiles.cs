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

    /// <summary>
    /// Writes <paramref name="model"/>'s <c>state_dict</c> to the safetensors file <paramref name="path"/> (PyTorch's
    /// names, <paramref name="metadata"/> with <c>format=pt</c> added), atomically.
    /// </summary>
    /// <param name="model">The network.</param>
    /// <param name="path">The file; its folder must exist.</param>
    /// <param name="metadata">The architecture, for the file's header.</param>
    /// <param name="batchCounts">
    /// Also write PyTorch's <c>num_batches_tracked</c> (0) beside each batch norm's running statistics, which
    /// <c>load_state_dict(strict=True)</c> requires of a <c>BatchNorm2d</c>; the pack's batch norms use a fixed
    /// momentum and keep no count (<see cref="WithoutBatchCounts"/> drops them on the way in).
    /// </param>
    public static void SaveWeightsFile(Module model, string path, IReadOnlyDictionary<string, string> metadata, bool batchCounts = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        if (!Directory.Exists(Path.GetDirectoryName(full)))
        {
            throw new DirectoryNotFoundException($"Cannot save the weights to '{path}': the directory '{Path.GetDirectoryName(full)}' does not exist.");
        }

        var all = new Dictionary<string, string>(StringComparer.Ordinal) { ["format"] = "pt" };
        foreach (KeyValuePair<string, string> m in metadata)
        {
            all[m.Key] = m.Value;
        }

        var state = new Dictionary<string, Tensor>(model.StateDict(), StringComparer.Ordinal);
        if (batchCounts)
        {
            foreach (string statistics in state.Keys.Where(k => k.EndsWith(RunningMean, StringComparison.Ordinal)).ToArray())
            {
                state[statistics[..^RunningMean.Length] + BatchCount] = Tensor.Zeros();
            }
        }

        using var buffer = new MemoryStream();
        SafeTensors.Write(buffer, state, all);
        AtomicFile.WriteAllBytes(full, buffer.ToArray());
    }

    private const string RunningMean = ".running_mean";
    private const string BatchCount = ".num_batches_tracked";

    /// <summary>
    /// <paramref name="state"/> without PyTorch's <c>num_batches_tracked</c> entries of batch norms (a one-value tensor
    /// beside a <c>running_mean</c>), which the pack does not keep; any other unknown tensor stays, for the strict load to name.
    /// </summary>
    public static Dictionary<string, Tensor> WithoutBatchCounts(Dictionary<string, Tensor> state)
    {
        foreach (string count in state.Keys.Where(k => k.EndsWith(BatchCount, StringComparison.Ordinal)).ToArray())
        {
            if (state[count].Length == 1 && state.ContainsKey(count[..^BatchCount.Length] + RunningMean))
            {
                state.Remove(count);
            }
        }

        return state;
    }

    /// <summary>
    /// The tensors of the safetensors file <paramref name="path"/> (written by a SaveWeights or by PyTorch), refused with a
    /// <see cref="FileNotFoundException"/> when it does not exist.
    /// </summary>
    public static Dictionary<string, Tensor> LoadWeightsFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The weights file '{path}' does not exist.", path);
        }

        return SafeTensors.Load(path);
    }

    /// <summary>The rows of the 2-D tensor <paramref name="name"/> of a weights file (a head's outputs), or an error naming the file.</summary>
    public static int Rows(IReadOnlyDictionary<string, Tensor> state, string name, string path, string meaning) =>
        state.TryGetValue(name, out Tensor? t) && t.Shape.Length == 2
            ? t.Shape[0]
            : throw new InvalidDataException($"The weights file '{path}' has no 2-D '{name}' ({meaning}), so the model's outputs are unknown.");

    /// <summary>
    /// The classes of the classifier whose weight is <paramref name="name"/> (its rows), checked: two or more, and as many
    /// as <paramref name="labelValues"/> when they are given.
    /// </summary>
    public static int Classes(IReadOnlyDictionary<string, Tensor> state, string name, string path, IReadOnlyList<string>? labelValues)
    {
        int classes = Rows(state, name, path, "the classifier");
        CheckLabelValues(labelValues, classes, path);
        return classes >= 2 ? classes : throw new InvalidDataException($"The weights file '{path}' has a classifier of {classes} classes; a network has 2 or more.");
    }

    /// <summary>Refuses <paramref name="labelValues"/> (when given) that are not one per class of the weights file <paramref name="path"/>.</summary>
    public static void CheckLabelValues(IReadOnlyList<string>? labelValues, int classes, string path)
    {
        if (labelValues is not null && labelValues.Count != classes)
        {
            throw new ArgumentException($"FromWeights: {labelValues.Count} label values for the {classes} classes of '{path}'.", nameof(labelValues));
        }
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
