using System.Text.Json;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// Keeps the consumer test's fixture honest: the committed pack model still predicts what expected.json says, and its
/// ONNX chain made today predicts the same. With ATTENTION_WRITE_ONNX_FIXTURE set to a folder (build/onnx-fixture.sh),
/// the first test instead trains the model and writes pack-model.zip, the chain's model.zip and expected.json there.
/// </summary>
[TestClass]
public sealed class OnnxConsumerFixtureTests
{
    private const float Tolerance = 1e-4f;

    private static string PackModel => Path.Combine(AppContext.BaseDirectory, "Fixtures", "onnx-chain", "pack-model.zip");

    [TestMethod]
    public void CommittedPackModel_StillPredictsTheConsumerFixture()
    {
        string? write = Environment.GetEnvironmentVariable("ATTENTION_WRITE_ONNX_FIXTURE");
        if (!string.IsNullOrEmpty(write))
        {
            Write(write);
        }

        var ml = new MLContext(seed: 1);
        ITransformer pack = ml.Model.LoadWithAttention(PackModel, out DataViewSchema? schema);
        List<OnnxConsumerFixture> expected = OnnxConsumerFixture.Load();
        Assert.IsTrue(expected.Count >= 20);
        AssertPredicts(ml, pack, expected, "the committed pack model");
        AssertPredicts(ml, ml.ToOnnxChain(pack, schema!), expected, "its ONNX chain made today");
    }

    private static void AssertPredicts(MLContext ml, ITransformer model, List<OnnxConsumerFixture> expected, string what)
    {
        IDataView data = ml.Data.LoadFromEnumerable(expected.Select(e => new Input { Text = e.Text, Label = e.Label }));
        List<OnnxConsumerFixture> actual = [.. ml.Data.CreateEnumerable<OnnxConsumerFixture>(model.Transform(data), reuseRowObject: false)];
        for (int r = 0; r < expected.Count; r++)
        {
            Assert.AreEqual(expected[r].PredictedLabel, actual[r].PredictedLabel, $"{what}, row {r}");
            Close(expected[r].Score, actual[r].Score, $"{what}, row {r}, Score");
            Close(expected[r].Embedding, actual[r].Embedding, $"{what}, row {r}, Embedding");
            Close(expected[r].Weights, actual[r].Weights, $"{what}, row {r}, Weights");
        }
    }

    private static void Close(float[] expected, float[] actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, what);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], actual[i], Tolerance, $"{what}[{i}]");
        }
    }

    /// <summary>Trains the fixture's model (seeded), and writes the pack's file, the chain's file and the expected rows.</summary>
    private static void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var ml = new MLContext(seed: 1);
        (ITransformer model, IDataView train) = OnnxChainTests.Train(ml, rows: 300, seed: 21, epochs: 4, iterations: 30);
        ml.Model.SaveWithAttention(model, train.Schema, Path.Combine(folder, "pack-model.zip"));
        ml.Model.Save(ml.ToOnnxChain(model, train.Schema), train.Schema, Path.Combine(folder, "model.zip"));
        List<PunctuatedReviews> texts = PunctuatedReviews.Generate(40, seed: 22, minWords: 1, maxWords: 30);
        IDataView test = ml.Data.LoadFromEnumerable(texts);
        List<OnnxConsumerFixture> rows = [.. ml.Data.CreateEnumerable<OnnxConsumerFixture>(model.Transform(test), reuseRowObject: false)];
        for (int r = 0; r < rows.Count; r++)
        {
            rows[r].Label = texts[r].Label;
        }

        File.WriteAllText(Path.Combine(folder, "expected.json"), JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
    }

    private sealed class Input
    {
        public string Text { get; set; } = "";

        public string Label { get; set; } = "";
    }
}
