using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tests.Support;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Transforms;

/// <summary>
/// The recurrent attention classifier through the real ML.NET API: <c>MapValueToKey</c> → <c>RecurrentAttention</c> →
/// <c>Evaluate</c>, the glimpse-location column, <c>SaveWithAttention</c> → <c>LoadWithAttention</c> → <c>PredictionEngine</c>.
/// </summary>
[TestClass]
public sealed class RecurrentAttentionPipelineTests
{
    public sealed class Digit
    {
        public string Label { get; set; } = "";

        [VectorType(1, 16, 16)]
        public float[] Features { get; set; } = [];
    }

    public sealed class Scored
    {
        public string PredictedLabel { get; set; } = "";

        public float[] Score { get; set; } = [];

        public float[] Glimpses { get; set; } = [];
    }

    [TestMethod]
    public void Transform_ScoresBlocksOfImages_AsOneByOneDoes_GlimpsesIncluded()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView train = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(mlContext.Data.LoadFromEnumerable(Bars(200, 1)))
            .Transform(mlContext.Data.LoadFromEnumerable(Bars(200, 1)));
        RecurrentAttentionTransformer model = mlContext.MulticlassClassification.Trainers.RecurrentAttention(new RecurrentAttentionOptions
        {
            Glimpses = 3, PatchSize = 4, Scales = 2, GlimpseHidden = 16, HiddenSize = 32, Epochs = 1, Seed = 2, LocationsColumnName = "Glimpses",
        }).Fit(train);
        Assert.AreEqual(64, model.ScoringBatchSize);
        IDataView test = mlContext.Data.LoadFromEnumerable(Bars(100, 2));
        IDataView batched = model.Transform(test), single = model.WithScoringBatchSize(1).Transform(test);
        foreach (string column in new[] { "Score", "Glimpses" })
        {
            float[][] a = [.. single.GetColumn<float[]>(column)], b = [.. batched.GetColumn<float[]>(column)];
            Assert.AreEqual(100, b.Length);
            for (int i = 0; i < a.Length; i++)
            {
                Check.Close(a[i], b[i], $"{column}, image {i}", rtol: 1e-4f, atol: 1e-5f);
            }
        }
    }

    [TestMethod]
    public void Classifier_Evaluates_WritesTheGlimpseLocations_AndRoundTrips()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView train = mlContext.Data.LoadFromEnumerable(Bars(1200, 1)), test = mlContext.Data.LoadFromEnumerable(Bars(200, 2));
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.MulticlassClassification.Trainers.RecurrentAttention(new RecurrentAttentionOptions
            {
                Glimpses = 3, PatchSize = 4, Scales = 3, GlimpseHidden = 32, HiddenSize = 64, Epochs = 15, BatchSize = 32, LearningRate = 3e-3f, Seed = 2,
                LocationsColumnName = "Glimpses",
            }))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        ITransformer model = pipeline.Fit(train);
        IDataView scored = model.Transform(test);
        MulticlassClassificationMetrics metrics = mlContext.MulticlassClassification.Evaluate(scored);
        Console.WriteLine($"recurrent attention on bars: macro accuracy {metrics.MacroAccuracy:F3}");
        Assert.IsGreaterThan(0.8, metrics.MacroAccuracy);
        CollectionAssert.AreEqual(new[] { 3, 2 }, ((VectorDataViewType)scored.Schema["Glimpses"].Type).Dimensions.ToArray());
        Scored[] rows = [.. mlContext.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false)];
        Assert.IsTrue(rows.All(r => r.Glimpses[0] == 0f && r.Glimpses[1] == 0f), "the first glimpse is at the centre");
        Assert.IsTrue(rows.All(r => r.Glimpses.All(v => v >= -1f && v <= 1f)), "locations stay in [−1, 1]");

        string path = Path.Combine(Path.GetTempPath(), $"ram-{Guid.NewGuid():N}.zip");
        try
        {
            mlContext.Model.SaveWithAttention(model, train.Schema, path);
            var fresh = new MLContext();
            ITransformer loaded = fresh.Model.LoadWithAttention(path, out _);
            var engine = fresh.Model.CreatePredictionEngine<Digit, Scored>(loaded);
            Digit[] inputs = Bars(200, 2);
            for (int i = 0; i < 50; i++)
            {
                Scored p = engine.Predict(inputs[i]);
                // Transform scores blocks of images, the engine one: equal up to float rounding.
                Check.Close(rows[i].Score, p.Score, $"row {i}: PredictionEngine on the loaded model equals Transform", rtol: 1e-4f, atol: 1e-6f);
                Check.Close(rows[i].Glimpses, p.Glimpses, $"row {i}: glimpses", rtol: 1e-4f, atol: 1e-5f);
                Assert.AreEqual(rows[i].PredictedLabel, p.PredictedLabel);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>16×16 images with one bar — horizontal, vertical or diagonal — at a random place, on faint noise.</summary>
    private static Digit[] Bars(int count, int seed)
    {
        var random = new Random(seed);
        string[] names = ["horizontal", "vertical", "diagonal"];
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            float[] image = [.. Enumerable.Range(0, 256).Select(_ => 0.1f * random.NextSingle())];
            int label = random.Next(3), x = random.Next(0, 11), y = random.Next(0, 11);
            for (int k = 0; k < 5; k++)
            {
                (int dx, int dy) = label switch { 0 => (k, 2), 1 => (2, k), _ => (k, k) };
                image[(y + dy) * 16 + x + dx] = 1f;
            }

            return new Digit { Label = names[label], Features = image };
        })];
    }
}
