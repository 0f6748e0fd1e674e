using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Attention.Cli.Output;

/// <summary>
/// What the command line knows about a model it trained, saved beside it as <c>model.json</c>: the task, the columns,
/// the classes and the sweep's result. <c>evaluate</c>, <c>score</c> and <c>explain</c> read it to know the columns.
/// </summary>
internal sealed record ModelInfo
{
    /// <summary>The file's name beside the model.</summary>
    public const string FileName = "model.json";

    /// <summary>The task of a text model.</summary>
    public const string TextTask = "text-classification";

    /// <summary>The task of an image model.</summary>
    public const string ImageTask = "image-classification";

    /// <summary><see cref="TextTask"/> or <see cref="ImageTask"/>.</summary>
    public required string Task { get; init; }

    /// <summary>The label column.</summary>
    public required string LabelColumn { get; init; }

    /// <summary>The text column, or the image-path column.</summary>
    public required string InputColumn { get; init; }

    /// <summary>The classes, sorted.</summary>
    public required IReadOnlyList<string> Classes { get; init; }

    /// <summary>The winning candidate.</summary>
    public required string Candidate { get; init; }

    /// <summary>The swept metric's name.</summary>
    public required string Metric { get; init; }

    /// <summary>Its validation value.</summary>
    public required double MetricValue { get; init; }

    private static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes the info to <paramref name="path"/>.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, s_json));

    /// <summary>The info beside <paramref name="modelPath"/>, or null when there is none.</summary>
    /// <exception cref="CliException">The file exists but cannot be read.</exception>
    public static ModelInfo? ForModel(string modelPath)
    {
        string path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".", FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ModelInfo>(File.ReadAllText(path), s_json) ?? throw new CliException($"'{path}' is empty.");
        }
        catch (JsonException e)
        {
            throw new CliException($"'{path}' is not a model description the command line wrote: {e.Message}", e);
        }
    }
}
