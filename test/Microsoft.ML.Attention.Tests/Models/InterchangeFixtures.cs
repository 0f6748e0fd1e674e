using System.Text.Json;

namespace Microsoft.ML.Attention.Tests.Models;

/// <summary>
/// The PyTorch weight-interchange fixtures (Fixtures/pytorch, written by build/pytorch-fixtures.sh): each model's cases
/// as snake_case JSON, and the folder ATTENTION_WRITE_PYTORCH_FIXTURE names, where the pack-side tests write fresh
/// fixtures for the script to check in PyTorch.
/// </summary>
internal static class InterchangeFixtures
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The committed fixtures, as copied beside the test assembly.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch");

    /// <summary>The cases stored at <paramref name="path"/>.</summary>
    public static T Load<T>(string path) => JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"'{path}' holds no cases.");

    /// <summary>Writes <paramref name="cases"/> to <paramref name="path"/>.</summary>
    public static void Save<T>(string path, T cases) => File.WriteAllText(path, JsonSerializer.Serialize(cases, Json));

    /// <summary>The folder to write fresh pack fixtures to (created), or null when ATTENTION_WRITE_PYTORCH_FIXTURE is not set.</summary>
    public static string? WriteFolder()
    {
        string? folder = Environment.GetEnvironmentVariable("ATTENTION_WRITE_PYTORCH_FIXTURE");
        return string.IsNullOrEmpty(folder) ? null : Directory.CreateDirectory(folder).FullName;
    }
}
