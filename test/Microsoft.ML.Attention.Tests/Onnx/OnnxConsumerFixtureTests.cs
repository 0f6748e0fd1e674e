using System.Text.Json;
using Microsoft.ML.Attention.Models;
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

    [TestMethod]
    public void CommittedImagePackModel_StillPredictsTheImageFixture()
    {
        string? write = Environment.GetEnvironmentVariable("ATTENTION_WRITE_ONNX_FIXTURE");
        if (!string.IsNullOrEmpty(write))
        {
            WriteImages(write);
        }

        var ml = new MLContext(seed: 1);
        ITransformer pack = ml.Model.LoadWithAttention(Path.Combine(AppContext.BaseDirectory, "Fixtures", "onnx-chain", "image-pack-model.zip"), out DataViewSchema? schema);
        List<ImageRow> expected = JsonSerializer.Deserialize<List<ImageRow>>(File.ReadAllText(Path.Combine(ImageFolder, "expected.json")))!;
        Assert.IsTrue(expected.Count >= 20);
        Assert.IsGreaterThan(expected.Count / 2, expected.Select(e => e.ImageEmbedding.Sum()).Distinct().Count(), "the fixture's embeddings differ from image to image");
        Assert.IsGreaterThan(1, expected.Select(e => e.PredictedLabel).Distinct().Count(), "the fixture's model predicts more than one class");
        foreach ((string what, ITransformer model) in new[] { ("the committed image pack model", pack), ("its ONNX chain made today", ml.ToOnnxChain(pack, schema!)) })
        {
            IDataView data = ml.Data.LoadFromEnumerable(expected.Select(e => new ImageAttentionOnnxTests.Picture { Label = e.Label, Features = e.Features }));
            List<ImageRow> actual = [.. ml.Data.CreateEnumerable<ImageRow>(model.Transform(data), reuseRowObject: false)];
            for (int r = 0; r < expected.Count; r++)
            {
                Assert.AreEqual(expected[r].PredictedLabel, actual[r].PredictedLabel, $"{what}, row {r}");
                Close(expected[r].Score, actual[r].Score, $"{what}, row {r}, Score");
                Close(expected[r].ImageEmbedding, actual[r].ImageEmbedding, $"{what}, row {r}, ImageEmbedding");
                Close(expected[r].Map, actual[r].Map, $"{what}, row {r}, Map");
            }
        }
    }

    private static string ImageFolder => Path.Combine(AppContext.BaseDirectory, "ConsumerFixtures", "image-featurizer");

    /// <summary>MapValueToKey → ImageAttentionFeaturize (CBAM, map) → NormalizeMeanVariance → SDCA → MapKeyToValue on generated 3×12×12 images.</summary>
    private static void WriteImages(string folder)
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(ImageAttentionOnnxTests.Pictures(150, seed: 31));
        ImageAttentionOptions options = ImageAttentionOnnxTests.Options(ImageAttentionKind.Cbam, ImagePooling.GlobalAverage);
        options.Epochs = 6;
        options.LearningRate = 1e-3f;
        ITransformer model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.ImageAttentionFeaturize(options))
            .Append(ml.Transforms.NormalizeMeanVariance("Normalized", ImageAttentionOptions.Defaults.EmbeddingColumnName))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Normalized", maximumNumberOfIterations: 50))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(train);
        ml.Model.SaveWithAttention(model, train.Schema, Path.Combine(folder, "image-pack-model.zip"));
        ml.Model.Save(ml.ToOnnxChain(model, train.Schema), train.Schema, Path.Combine(folder, "image-model.zip"));
        List<ImageAttentionOnnxTests.Picture> test = ImageAttentionOnnxTests.Pictures(24, seed: 32);
        List<ImageRow> rows = [.. ml.Data.CreateEnumerable<ImageRow>(model.Transform(ml.Data.LoadFromEnumerable(test)), reuseRowObject: false)];
        for (int r = 0; r < rows.Count; r++)
        {
            rows[r].Label = test[r].Label;
            rows[r].Features = test[r].Features;
        }

        File.WriteAllText(Path.Combine(folder, "image-expected.json"), JsonSerializer.Serialize(rows));
    }

    /// <summary>A row of the image fixture: the pixels and label given, and what the pack predicted.</summary>
    public sealed class ImageRow
    {
        [NoColumn]
        public string Label { get; set; } = "";

        [NoColumn]
        public float[] Features { get; set; } = [];

        public string PredictedLabel { get; set; } = "";

        public float[] Score { get; set; } = [];

        public float[] ImageEmbedding { get; set; } = [];

        public float[] Map { get; set; } = [];
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
