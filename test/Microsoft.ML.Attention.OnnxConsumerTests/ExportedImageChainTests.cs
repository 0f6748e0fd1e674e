using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.OnnxConsumerTests;

/// <summary>
/// Loads Fixtures/image-featurizer/model.zip — MapValueToKey → ImageAttentionFeaturize (CBAM, attention map) →
/// NormalizeMeanVariance → SDCA →
/// MapKeyToValue, turned into ML.NET's own transformers by the pack's <c>ToOnnxChain</c> and written by plain
/// <c>Model.Save</c> — and checks that it predicts what the pack predicted (expected.json: label, scores, embedding and
/// map within 1e-4) from the planar pixels <c>ExtractPixels</c> would write, through <c>Transform</c> and a
/// <c>PredictionEngine</c>.
/// </summary>
[TestClass]
public sealed class ExportedImageChainTests
{
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "image-featurizer");

    [TestMethod]
    public void PlainModelLoad_ImageFeaturizerChain_PredictsAsThePack()
    {
        var ml = new MLContext(seed: 0);
        ITransformer model = ml.Model.Load(Path.Combine(Folder, "model.zip"), out DataViewSchema schema);
        Assert.AreEqual(3 * 12 * 12, ((VectorDataViewType)schema["Features"].Type).Size);
        List<Expected> expected = JsonSerializer.Deserialize<List<Expected>>(File.ReadAllText(Path.Combine(Folder, "expected.json")))!;
        IDataView input = ml.Data.LoadFromEnumerable(expected.Select(e => new Input { Label = e.Label, Features = e.Features }));
        List<Output> scored = [.. ml.Data.CreateEnumerable<Output>(model.Transform(input), reuseRowObject: false)];
        PredictionEngine<Input, Output> engine = ml.Model.CreatePredictionEngine<Input, Output>(model);
        for (int r = 0; r < expected.Count; r++)
        {
            foreach ((string how, Output actual) in new[] { ("Transform", scored[r]), ("PredictionEngine", engine.Predict(new Input { Label = expected[r].Label, Features = expected[r].Features })) })
            {
                string what = $"{how}, row {r}";
                Assert.AreEqual(expected[r].PredictedLabel, actual.PredictedLabel, what);
                Close(expected[r].Score, actual.Score, what + ", Score");
                Close(expected[r].ImageEmbedding, actual.ImageEmbedding, what + ", ImageEmbedding");
                Close(expected[r].Map, actual.Map, what + ", Map");
            }
        }

        Assert.IsFalse(AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name is "Microsoft.ML.Attention" or "Microsoft.ML.Attention.Engine"));
    }

    private static void Close(float[] expected, float[] actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, what + ": size");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], actual[i], 1e-4f, $"{what}[{i}]");
        }
    }

    public sealed class Input
    {
        public string Label { get; set; } = "";

        [VectorType(3, 12, 12)]
        public float[] Features { get; set; } = [];
    }

    public sealed class Output
    {
        public string PredictedLabel { get; set; } = "";

        public float[] Score { get; set; } = [];

        public float[] ImageEmbedding { get; set; } = [];

        public float[] Map { get; set; } = [];
    }

    private sealed class Expected
    {
        public string Label { get; set; } = "";

        public float[] Features { get; set; } = [];

        public string PredictedLabel { get; set; } = "";

        public float[] Score { get; set; } = [];

        public float[] ImageEmbedding { get; set; } = [];

        public float[] Map { get; set; } = [];
    }
}
