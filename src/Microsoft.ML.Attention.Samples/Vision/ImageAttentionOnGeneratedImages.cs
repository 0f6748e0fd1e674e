using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;
using SkiaSharp;

namespace Microsoft.ML.Attention.Samples.Vision;

/// <summary>
/// The CBAM image classifier in ML.NET's image flow, on pictures the sample draws: a small coloured circle, square or
/// triangle somewhere on a 40×40 canvas full of stray strokes. <c>LoadImages</c> → <c>ResizeImages</c> (to 32×32) →
/// <c>ExtractPixels</c> → <c>ImageAttention</c> → <c>Evaluate</c>; prints the metrics and where the spatial attention
/// of a few test images peaks against where the shape really is, and saves one heatmap PNG.
/// </summary>
public static class ImageAttentionOnGeneratedImages
{
    private const int Canvas = 40, Side = 32;

    private static readonly string[] Classes = ["circle", "square", "triangle"];

    public static int Run()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"image-attention-sample-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var ml = new MLContext(seed: 1);
            ml.Log += (_, e) =>
            {
                int at = e.Message.IndexOf("ImageAttention: epoch", StringComparison.Ordinal);
                if (at >= 0)
                {
                    Console.WriteLine("  " + e.Message[at..]);
                }
            };

            Console.WriteLine($"Drawing 1,500 training and 300 test images in {folder}...");
            List<Picture> trainRows = Draw(folder, "train", 1500, seed: 2), testRows = Draw(folder, "test", 300, seed: 3);
            IDataView train = ml.Data.LoadFromEnumerable(trainRows), test = ml.Data.LoadFromEnumerable(testRows);
            var pipeline = ml.Transforms.Conversion.MapValueToKey("LabelKey", nameof(Picture.Label))
                .Append(ml.Transforms.LoadImages("Image", folder, nameof(Picture.File)))
                .Append(ml.Transforms.ResizeImages("Image", Side, Side))
                .Append(ml.Transforms.ExtractPixels("Pixels", "Image"))
                .Append(ml.MulticlassClassification.Trainers.ImageAttention(new ImageAttentionOptions
                {
                    LabelColumnName = "LabelKey", FeatureColumnName = "Pixels", Attention = ImageAttentionKind.Cbam, AttentionMapColumnName = "Attention",
                    StageChannels = [16, 32], Epochs = 8, BatchSize = 64,
                }))
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
            Console.WriteLine("Training the CBAM classifier (two stages of 3×3 convolutions, CBAM after each)...");
            ITransformer model = pipeline.Fit(train);
            IDataView scored = model.Transform(test);
            MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(scored, labelColumnName: "LabelKey");
            Console.WriteLine($"Test set: macro accuracy {metrics.MacroAccuracy:F3}, log-loss {metrics.LogLoss:F3}");

            Console.WriteLine("Where the spatial attention peaks (in the 32×32 image) and where the shape is:");
            Scored[] predictions = [.. ml.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false)];
            int mapSide = (int)Math.Sqrt(predictions[0].Attention.Length);
            for (int i = 0; i < 5; i++)
            {
                int peak = Array.IndexOf(predictions[i].Attention, predictions[i].Attention.Max());
                float scale = (float)Side / mapSide, shrink = (float)Side / Canvas;
                Console.WriteLine($"  {predictions[i].PredictedLabel} (true: {testRows[i].Label}): attention peaks at ({(peak % mapSide + 0.5f) * scale:F0}, {(peak / mapSide + 0.5f) * scale:F0}); the shape is at ({testRows[i].X * shrink:F0}, {testRows[i].Y * shrink:F0})");
            }

            ImageAttentionTransformer classifier = ((IEnumerable<ITransformer>)model).OfType<ImageAttentionTransformer>().Single();
            float[] pixels = ml.Data.CreateEnumerable<PixelsOnly>(model.Transform(test), reuseRowObject: false).First().Pixels;
            string heatmap = Path.GetFullPath("attention-heatmap.png");
            classifier.SaveHeatmap(pixels, heatmap);
            Console.WriteLine($"Saved the attention over the first test image ({testRows[0].Label}) to {heatmap}");
            return metrics.MacroAccuracy > 0.6 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Draws <paramref name="count"/> pictures into <paramref name="folder"/> and lists them.</summary>
    private static List<Picture> Draw(string folder, string prefix, int count, int seed)
    {
        var random = new Random(seed);
        var pictures = new List<Picture>(count);
        using var paint = new SKPaint { IsAntialias = true, StrokeWidth = 1.2f };
        for (int n = 0; n < count; n++)
        {
            using var bitmap = new SKBitmap(Canvas, Canvas);
            using (var canvas = new SKCanvas(bitmap))
            {
                canvas.Clear(new SKColor((byte)random.Next(20, 60), (byte)random.Next(20, 60), (byte)random.Next(20, 60)));
                paint.Style = SKPaintStyle.Stroke;
                for (int s = 0; s < 9; s++)
                {
                    paint.Color = Bright(random);
                    float x = random.Next(Canvas), y = random.Next(Canvas);
                    canvas.DrawLine(x, y, x + random.Next(-12, 13), y + random.Next(-12, 13), paint);
                }

                int label = random.Next(Classes.Length);
                float r = 4.5f + 2f * random.NextSingle(), cx = r + 1 + random.NextSingle() * (Canvas - 2 * r - 2), cy = r + 1 + random.NextSingle() * (Canvas - 2 * r - 2);
                paint.Style = SKPaintStyle.Fill;
                paint.Color = Bright(random);
                Shape(canvas, paint, label, cx, cy, r);
                string file = $"{prefix}-{n}.png";
                using (SKData png = bitmap.Encode(SKEncodedImageFormat.Png, 100))
                {
                    File.WriteAllBytes(Path.Combine(folder, file), png.ToArray());
                }

                pictures.Add(new Picture { Label = Classes[label], File = file, X = cx, Y = cy });
            }
        }

        return pictures;
    }

    private static void Shape(SKCanvas canvas, SKPaint paint, int label, float x, float y, float r)
    {
        if (label == 0)
        {
            canvas.DrawCircle(x, y, r, paint);
        }
        else if (label == 1)
        {
            canvas.DrawRect(x - r * 0.85f, y - r * 0.85f, r * 1.7f, r * 1.7f, paint);
        }
        else
        {
            using var path = new SKPath();
            path.MoveTo(x, y - r);
            path.LineTo(x + r, y + r * 0.8f);
            path.LineTo(x - r, y + r * 0.8f);
            path.Close();
            canvas.DrawPath(path, paint);
        }
    }

    private static SKColor Bright(Random random) => new((byte)random.Next(120, 256), (byte)random.Next(120, 256), (byte)random.Next(120, 256));

    private sealed class Picture
    {
        public string Label { get; set; } = "";

        public string File { get; set; } = "";

        [NoColumn]
        public float X { get; set; }

        [NoColumn]
        public float Y { get; set; }
    }

    private sealed class Scored
    {
        public string PredictedLabel { get; set; } = "";

        public float[] Attention { get; set; } = [];
    }

    private sealed class PixelsOnly
    {
        public float[] Pixels { get; set; } = [];
    }
}
