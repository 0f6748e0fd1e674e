using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tests.Vision;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;
using SkiaSharp;

namespace Microsoft.ML.Attention.Tests.Transforms;

/// <summary>
/// The image attention featurizer in ML.NET's image flow on the real packages: <c>LoadFromTextFile</c> (image paths) →
/// <c>MapValueToKey</c> → <c>LoadImages</c> → <c>ResizeImages</c> → <c>ExtractPixels</c> → <c>ImageAttentionFeaturize</c> →
/// <c>AppendCacheCheckpoint</c> → <c>LbfgsMaximumEntropy</c> → <c>Evaluate</c>, against the same backbone without
/// attention, then <c>SaveWithAttention</c> → <c>LoadWithAttention</c> → <c>PredictionEngine</c> and a heatmap.
/// </summary>
[TestClass]
public sealed class ImageAttentionPipelineTests
{
    public sealed class ImageRow
    {
        [LoadColumn(0)]
        public string Label { get; set; } = "";

        [LoadColumn(1)]
        public string ImagePath { get; set; } = "";
    }

    public sealed class Prediction
    {
        public string PredictedLabel { get; set; } = "";

        public float[] Score { get; set; } = [];

        public float[] Map { get; set; } = [];
    }

    [TestMethod]
    public void ImageFlow_CbamFeaturizerBeatsThePlainBackbone_RoundTrips_AndDrawsAHeatmap()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"image-flow-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            string trainPath = Write(directory, "train", ShapesOnClutterTask.Generate(1500, seed: 11));
            var testRows = ShapesOnClutterTask.Generate(500, seed: 12);
            string testPath = Write(directory, "test", testRows);
            var mlContext = new MLContext(seed: 0);
            IDataView train = mlContext.Data.LoadFromTextFile<ImageRow>(trainPath, hasHeader: true, separatorChar: '\t');
            IDataView test = mlContext.Data.LoadFromTextFile<ImageRow>(testPath, hasHeader: true, separatorChar: '\t');

            IEstimator<ITransformer> Pipeline(ImageAttentionKind kind) => mlContext.Transforms.Conversion.MapValueToKey("Label")
                .Append(mlContext.Transforms.LoadImages("Image", directory, nameof(ImageRow.ImagePath)))
                .Append(mlContext.Transforms.ResizeImages("Image", ShapesOnClutterTask.Size, ShapesOnClutterTask.Size))
                .Append(mlContext.Transforms.ExtractPixels("Pixels", "Image"))
                .Append(mlContext.Transforms.ImageAttentionFeaturize(new ImageAttentionOptions
                {
                    FeatureColumnName = "Pixels", EmbeddingColumnName = "Embedding", AttentionMapColumnName = kind == ImageAttentionKind.Cbam ? "Map" : null,
                    Attention = kind, StageChannels = [16, 32], Epochs = 8, BatchSize = 64, Seed = 13,
                }))
                .AppendCacheCheckpoint(mlContext)
                .Append(mlContext.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Embedding"))
                .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

            ITransformer model = Pipeline(ImageAttentionKind.Cbam).Fit(train);
            IDataView scored = model.Transform(test);
            double cbam = mlContext.MulticlassClassification.Evaluate(scored).MacroAccuracy;
            double plain = mlContext.MulticlassClassification.Evaluate(Pipeline(ImageAttentionKind.None).Fit(train).Transform(test)).MacroAccuracy;
            Console.WriteLine($"CBAM featurizer + L-BFGS macro accuracy {cbam:F3}; the same backbone without attention {plain:F3}");
            Assert.IsGreaterThan(0.9, cbam, $"CBAM macro accuracy {cbam:F3}");
            Assert.IsGreaterThan(plain + 0.03, cbam, $"CBAM {cbam:F3} against the plain backbone {plain:F3}");

            Prediction[] predictions = [.. mlContext.Data.CreateEnumerable<Prediction>(scored, reuseRowObject: false)];
            VectorDataViewType mapType = (VectorDataViewType)scored.Schema["Map"].Type;
            CollectionAssert.AreEqual(new[] { 16, 16 }, mapType.Dimensions.ToArray(), "the map of the last stage (32 → 16 after the first stage)");
            int near = predictions.Zip(testRows).Count(p =>
            {
                int peak = Array.IndexOf(p.First.Map, p.First.Map.Max());
                float px = (peak % 16 + 0.5f) * 2, py = (peak / 16 + 0.5f) * 2;
                return MathF.Abs(px - p.Second.X) <= 6 && MathF.Abs(py - p.Second.Y) <= 6;
            });
            Console.WriteLine($"the spatial map peaks within 6 pixels of the shape in {near}/500 images");
            Assert.IsGreaterThan(0.8, near / 500.0, $"the CBAM spatial map peaks on the shape in {near}/500 images");

            string path = Path.Combine(directory, "image-model.zip");
            mlContext.Model.SaveWithAttention(model, train.Schema, path);
            var fresh = new MLContext();
            ITransformer loaded = fresh.Model.LoadWithAttention(path, out _);
            IDataView reloaded = loaded.Transform(fresh.Data.LoadFromTextFile<ImageRow>(testPath, hasHeader: true, separatorChar: '\t'));
            float[][] before = [.. scored.GetColumn<float[]>("Score")], after = [.. reloaded.GetColumn<float[]>("Score")];
            var engine = fresh.Model.CreatePredictionEngine<ImageRow, Prediction>(loaded);
            for (int i = 0; i < 60; i++)
            {
                CollectionAssert.AreEqual(before[i], after[i], $"row {i}: the loaded model scores as the fitted one");
                Prediction p = engine.Predict(new ImageRow { ImagePath = $"test-{i}.png" });
                CollectionAssert.AreEqual(after[i], p.Score, $"row {i}: PredictionEngine equals Transform");
                Assert.AreEqual(predictions[i].PredictedLabel, p.PredictedLabel);
                CollectionAssert.AreEqual(predictions[i].Map, p.Map);
            }

            // The featurizer draws its map over an image: a PNG that SkiaSharp decodes, enlarged to 256×256.
            ImageAttentionTransformer featurizer = FindFeaturizer(model);
            float[] pixels = ShapesOnClutterTask.Planar(testRows[0].Image);
            string heatmap = Path.Combine(directory, "heatmap.png");
            featurizer.SaveHeatmap(pixels, heatmap);
            using SKBitmap drawn = SKBitmap.Decode(heatmap);
            Assert.IsNotNull(drawn, "the heatmap is a PNG");
            Assert.AreEqual(256, drawn.Width);
            Assert.AreEqual(256, drawn.Height);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The images as PNG files beside a TSV of labels and file names; returns the TSV's path.</summary>
    internal static string Write(string directory, string name, List<(SKBitmap Image, int Label, float X, float Y)> rows)
    {
        var lines = new List<string> { "Label\tImagePath" };
        for (int i = 0; i < rows.Count; i++)
        {
            string file = $"{name}-{i}.png";
            using (SKData png = rows[i].Image.Encode(SKEncodedImageFormat.Png, 100))
            {
                File.WriteAllBytes(Path.Combine(directory, file), png.ToArray());
            }

            lines.Add($"{ShapesOnClutterTask.ClassNames[rows[i].Label]}\t{file}");
        }

        string path = Path.Combine(directory, name + ".tsv");
        File.WriteAllLines(path, lines);
        return path;
    }

    private static ImageAttentionTransformer FindFeaturizer(ITransformer model) =>
        ((IEnumerable<ITransformer>)model).OfType<ImageAttentionTransformer>().Single();
}
