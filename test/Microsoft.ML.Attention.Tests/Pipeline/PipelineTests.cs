using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Pipeline;

/// <summary>
/// The ML.NET documentation flow, written as a user writes it: load → map key → concatenate → normalize → (a
/// third-party transformer) → train → map back → evaluate → save → load → predict.
/// </summary>
[TestClass]
public sealed class PipelineTests
{
    [TestMethod]
    public void DocumentationFlow_WithThirdPartyTransformer_TrainsEvaluatesAndPredicts()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView data = mlContext.Data.LoadFromEnumerable(Flowers.Generate(600, seed: 7));
        var split = mlContext.Data.TrainTestSplit(data, testFraction: 0.25, seed: 3);

        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Transforms.Concatenate("Features", "SepalLength", "SepalWidth", "PetalLength", "PetalWidth"))
            .Append(mlContext.Transforms.NormalizeMinMax("Features"))
            .Append(new SquaringEstimator("Features"))
            .Append(mlContext.Transforms.Concatenate("Features", "Features", "Squares"))
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.MulticlassClassification.Trainers.LbfgsMaximumEntropy(l1Regularization: 0, l2Regularization: 0.01f))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

        // The schema is checked before any data is read.
        var shape = pipeline.GetOutputSchema(SchemaShapeOf(split.TrainSet.Schema));
        Assert.IsTrue(shape.Any(c => c.Name == "Score" && c.Kind == SchemaShape.Column.VectorKind.Vector));

        var model = pipeline.Fit(split.TrainSet);
        var scored = model.Transform(split.TestSet);
        var metrics = mlContext.MulticlassClassification.Evaluate(scored, topKPredictionCount: 2);

        Assert.IsGreaterThan(0.9, metrics.MicroAccuracy, $"micro accuracy {metrics.MicroAccuracy}");
        Assert.IsGreaterThan(0.9, metrics.MacroAccuracy);
        Assert.IsLessThan(0.35, metrics.LogLoss);
        Assert.IsGreaterThan(0.7, metrics.LogLossReduction);
        Assert.AreEqual(3, metrics.ConfusionMatrix.NumberOfClasses);
        Assert.IsGreaterThanOrEqualTo(metrics.MicroAccuracy, metrics.TopKAccuracy);
        var predicted = scored.GetColumn<string>("PredictedLabel").ToList();
        CollectionAssert.IsSubsetOf(predicted.Distinct().ToList(), new[] { "setosa", "versicolor", "virginica" });

        // The third-party transformer cannot write itself, so saving the chain fails as real ML.NET does, and the old file survives.
        string path = Path.Combine(Path.GetTempPath(), $"flowers-{Guid.NewGuid():N}.zip");
        try
        {
            File.WriteAllText(path, "previous model");
            var e = Assert.ThrowsExactly<InvalidOperationException>(() => mlContext.Model.Save(model, data.Schema, path));
            StringAssert.Contains(e.Message, "ModelSignature not specified");
            Assert.AreEqual("previous model", File.ReadAllText(path));
            Assert.AreEqual(1, Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*").Length, "the temporary file was removed");

            // Prediction through the chain with the external transformer in the middle.
            using var engine = mlContext.Model.CreatePredictionEngine<FlowerRow, FlowerPrediction>(model);
            var setosa = engine.Predict(new FlowerRow { SepalLength = 5.0f, SepalWidth = 3.4f, PetalLength = 1.5f, PetalWidth = 0.2f });
            Assert.AreEqual("setosa", setosa.Species);
            Assert.AreEqual(3, setosa.Score.Length);
            Assert.AreEqual(1.0, setosa.Score.Sum(), 1e-5);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void StandardChain_SavesLoadsInFreshContext_AndPredictsIdentically()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = Flowers.Generate(300, seed: 11);
        IDataView data = mlContext.Data.LoadFromEnumerable(rows);
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Transforms.Concatenate("Features", "SepalLength", "SepalWidth", "PetalLength", "PetalWidth"))
            .Append(mlContext.Transforms.NormalizeMeanVariance("Features"))
            .Append(mlContext.MulticlassClassification.Trainers.LbfgsMaximumEntropy())
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(data);
        string path = Path.Combine(Path.GetTempPath(), $"flowers-{Guid.NewGuid():N}.zip");
        try
        {
            mlContext.Model.Save(model, data.Schema, path);
            var fresh = new MLContext();
            var loaded = fresh.Model.Load(path, out var inputSchema);
            Assert.AreEqual(data.Schema.Count, inputSchema.Count);
            Assert.AreEqual("SepalLength", inputSchema[0].Name);

            var before = model.Transform(data).GetColumn<float[]>("Score").ToList();
            var after = loaded.Transform(fresh.Data.LoadFromEnumerable(rows)).GetColumn<float[]>("Score").ToList();
            Assert.AreEqual(before.Count, after.Count);
            for (int i = 0; i < before.Count; i++)
                CollectionAssert.AreEqual(before[i], after[i]);

            using var engine = fresh.Model.CreatePredictionEngine<FlowerRow, FlowerPrediction>(loaded);
            var original = mlContext.Model.CreatePredictionEngine<FlowerRow, FlowerPrediction>(model);
            foreach (var row in rows.Take(20))
            {
                var a = original.Predict(row);
                var b = engine.Predict(row);
                Assert.AreEqual(a.Species, b.Species);
                CollectionAssert.AreEqual(a.Score, b.Score);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void TextFile_TokenizeAndBinaryLogisticRegression_EndToEnd()
    {
        var mlContext = new MLContext(seed: 2);
        string path = Path.Combine(Path.GetTempPath(), $"reviews-{Guid.NewGuid():N}.csv");
        var random = new Random(5);
        string[] good = ["great", "fine", "lovely", "superb"];
        string[] bad = ["awful", "poor", "broken", "dull"];
        var lines = new List<string> { "Sentiment,Text,Stars" };
        for (int i = 0; i < 400; i++)
        {
            bool positive = random.Next(2) == 0;
            var word = (positive ? good : bad)[random.Next(4)];
            float stars = positive ? 3 + (float)random.NextDouble() * 2 : 1 + (float)random.NextDouble() * 2;
            lines.Add($"{(positive ? "true" : "false")},\"it was \"\"{word}\"\", really\",{stars.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }
        File.WriteAllLines(path, lines);
        try
        {
            var data = mlContext.Data.LoadFromTextFile<Review>(path, separatorChar: ',', hasHeader: true, allowQuoting: true);
            var first = mlContext.Data.CreateEnumerable<Review>(data, reuseRowObject: false).First();
            StringAssert.StartsWith(first.Text, "it was \"");

            var tokens = mlContext.Transforms.Text.TokenizeIntoWords("Tokens", "Text").Fit(data).Transform(data);
            var firstTokens = tokens.GetColumn<string[]>("Tokens").First();
            Assert.AreEqual(4, firstTokens.Length);

            var pipeline = mlContext.Transforms.Concatenate("Features", "Stars")
                .Append(mlContext.BinaryClassification.Trainers.LbfgsLogisticRegression(labelColumnName: "Sentiment"));
            var model = pipeline.Fit(data);
            var metrics = mlContext.BinaryClassification.Evaluate(model.Transform(data), labelColumnName: "Sentiment");
            Assert.IsGreaterThan(0.95, metrics.Accuracy);
            Assert.IsGreaterThan(0.95, metrics.AreaUnderRocCurve);
            Assert.IsGreaterThan(0.95, metrics.AreaUnderPrecisionRecallCurve);
            Assert.IsLessThan(0.4, metrics.LogLoss);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public sealed class Review
    {
        [LoadColumn(0)] public bool Sentiment { get; set; }
        [LoadColumn(1)] public string Text { get; set; } = "";
        [LoadColumn(2)] public float Stars { get; set; }
    }

    internal static SchemaShape SchemaShapeOf(DataViewSchema schema)
        => new SquaringEstimator("none").GetType().GetMethod("SchemaShapeOf", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .Invoke(null, [schema]) as SchemaShape ?? throw new InvalidOperationException();
}
