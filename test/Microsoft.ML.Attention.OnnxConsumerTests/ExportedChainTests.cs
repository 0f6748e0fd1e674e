using System.Reflection;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.OnnxConsumerTests;

/// <summary>
/// Loads Fixtures/attention-encode/model.zip — an AttentionEncode + SDCA pipeline turned into ML.NET's own transformers by
/// the pack's <c>ToOnnxChain</c> and written with plain <c>mlContext.Model.Save</c> — with plain <c>mlContext.Model.Load</c>,
/// and checks that it predicts what the pack predicted for the same texts (expected.json: label, scores, embedding and
/// attention weights within 1e-4), through <c>Transform</c> and through a <c>PredictionEngine</c>, with no assembly of the
/// pack referenced or loaded. build/onnx-fixture.sh regenerates the files.
/// </summary>
[TestClass]
public sealed class ExportedChainTests
{
    private const float Tolerance = 1e-4f;

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "attention-encode");

    [TestMethod]
    public void PlainModelLoad_Transform_PredictsAsThePack()
    {
        var ml = new MLContext(seed: 0);
        ITransformer model = ml.Model.Load(Path.Combine(Folder, "model.zip"), out DataViewSchema schema);
        Assert.IsNotNull(schema.GetColumnOrNull("Text"), "the saved input schema");
        List<Expected> expected = LoadExpected();
        IDataView input = ml.Data.LoadFromEnumerable(expected.Select(e => new Input { Text = e.Text, Label = e.Label }));
        List<Output> actual = [.. ml.Data.CreateEnumerable<Output>(model.Transform(input), reuseRowObject: false)];
        Assert.AreEqual(expected.Count, actual.Count);
        for (int r = 0; r < expected.Count; r++)
        {
            AssertRow(expected[r], actual[r], $"Transform, row {r}");
        }

        AssertNoPackLoaded();
    }

    [TestMethod]
    public void PlainModelLoad_PredictionEngine_PredictsAsThePack()
    {
        var ml = new MLContext(seed: 0);
        ITransformer model = ml.Model.Load(Path.Combine(Folder, "model.zip"), out _);
        PredictionEngine<Input, Output> engine = ml.Model.CreatePredictionEngine<Input, Output>(model);
        List<Expected> expected = LoadExpected();
        for (int r = 0; r < expected.Count; r++)
        {
            AssertRow(expected[r], engine.Predict(new Input { Text = expected[r].Text, Label = expected[r].Label }), $"PredictionEngine, row {r}");
        }

        AssertNoPackLoaded();
    }

    [TestMethod]
    public void ThisProject_ReferencesNoPackAssembly()
    {
        string[] references = [.. typeof(ExportedChainTests).Assembly.GetReferencedAssemblies().Select(a => a.Name!)];
        CollectionAssert.Contains(references, "Microsoft.ML.Data", "the checker must see ML.NET, or it proves nothing");
        Assert.IsFalse(references.Any(r => r.StartsWith("Microsoft.ML.Attention", StringComparison.Ordinal)), string.Join(", ", references));
        Assert.IsFalse(File.Exists(Path.Combine(AppContext.BaseDirectory, "Microsoft.ML.Attention.dll")), "the pack's assembly is not in the output folder");
        Assert.IsFalse(File.Exists(Path.Combine(AppContext.BaseDirectory, "Microsoft.ML.Attention.Engine.dll")), "the engine's assembly is not in the output folder");
    }

    private static void AssertRow(Expected expected, Output actual, string what)
    {
        Assert.AreEqual(expected.PredictedLabel, actual.PredictedLabel, what);
        Close(expected.Score, actual.Score, what + ", Score");
        Close(expected.Embedding, actual.Embedding, what + ", Embedding");
        Close(expected.Weights, actual.Weights, what + ", Weights");
    }

    private static void Close(float[] expected, float[] actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, what + ": size");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], actual[i], Tolerance, $"{what}[{i}]");
        }
    }

    private static void AssertNoPackLoaded()
    {
        Assembly[] pack = [.. AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name!.StartsWith("Microsoft.ML.Attention", StringComparison.Ordinal) && a != typeof(ExportedChainTests).Assembly)];
        Assert.AreEqual(0, pack.Length, "loaded: " + string.Join(", ", pack.Select(a => a.GetName().Name)));
    }

    private static List<Expected> LoadExpected() =>
        JsonSerializer.Deserialize<List<Expected>>(File.ReadAllText(Path.Combine(Folder, "expected.json"))) ?? throw new InvalidDataException("expected.json is empty");

    public sealed class Input
    {
        public string Text { get; set; } = "";

        public string Label { get; set; } = "";
    }

    public sealed class Output
    {
        public string PredictedLabel { get; set; } = "";

        public float[] Score { get; set; } = [];

        public float[] Embedding { get; set; } = [];

        public float[] Weights { get; set; } = [];
    }

    private sealed class Expected
    {
        public string Text { get; set; } = "";

        public string Label { get; set; } = "";

        public string PredictedLabel { get; set; } = "";

        public float[] Score { get; set; } = [];

        public float[] Embedding { get; set; } = [];

        public float[] Weights { get; set; } = [];
    }
}
