using System.Text.Json;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// The rows of test/Microsoft.ML.Attention.OnnxConsumerTests/Fixtures/attention-encode/expected.json: unseen texts and
/// what the pack's model (Fixtures/onnx-chain/pack-model.zip here) predicts for them; the consumer test project, which
/// references neither the pack nor the engine, checks that the exported ML.NET chain (model.zip there) predicts the same.
/// </summary>
public sealed class OnnxConsumerFixture
{
    public string Text { get; set; } = "";

    /// <summary>The row's label as given (not read back from the scored data, where it is a key).</summary>
    [Microsoft.ML.Data.NoColumn]
    public string Label { get; set; } = "";

    public string PredictedLabel { get; set; } = "";

    public float[] Score { get; set; } = [];

    public float[] Embedding { get; set; } = [];

    public float[] Weights { get; set; } = [];

    internal static string Folder => Path.Combine(AppContext.BaseDirectory, "ConsumerFixtures", "attention-encode");

    internal static List<OnnxConsumerFixture> Load() =>
        JsonSerializer.Deserialize<List<OnnxConsumerFixture>>(File.ReadAllText(Path.Combine(Folder, "expected.json")))
        ?? throw new InvalidDataException("expected.json is empty");
}
