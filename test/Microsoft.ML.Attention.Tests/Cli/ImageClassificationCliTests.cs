using SkiaSharp;

namespace Microsoft.ML.Attention.Tests.Cli;

/// <summary>
/// <c>image-classification</c> in process on a folder of generated PNGs (one subfolder per shape), then <c>evaluate</c>,
/// <c>score</c> on a CSV of relative image paths, and <c>explain --image</c>.
/// </summary>
[TestClass]
public sealed class ImageClassificationCliTests
{
    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task ImageClassification_OnAFolderPerLabel_LeavesAModelThatScoresAndExplainsImages()
    {
        string folder = CliRun.NewFolder();
        string images = Path.Combine(folder, "shapes");
        List<(string Path, string Label)> files = WriteShapes(images, perClass: 100, seed: 4);
        string output = Path.Combine(folder, "model");
        (int code, string printed) = await CliRun.RunAsync(
            "image-classification", "--dataset", images, "--train-time", "30", "--trainers", "image-attention,pixels-sdca", "--width", "24", "--height", "24", "--output", output, "--name", "Shapes");
        Assert.AreEqual(0, code, printed);
        StringAssert.Contains(printed, "ImageAttention");
        StringAssert.Contains(printed, "NormalizeMinMax+SdcaMaximumEntropy", "the ML.NET baseline is on the leaderboard");
        foreach (string file in new[] { "model.zip", "model.json", "report.html", "training-curve.png", "Shapes.ConsoleApp/Shapes.ConsoleApp.csproj" })
        {
            Assert.IsTrue(File.Exists(Path.Combine(output, file)), $"{file} written");
        }

        StringAssert.Contains(File.ReadAllText(Path.Combine(output, "Shapes.ConsoleApp", "Shapes.ConsoleApp.csproj")), "Microsoft.ML.ImageAnalytics");
        string model = Path.Combine(output, "model.zip");
        (code, printed) = await CliRun.RunAsync("evaluate", "--model", model, "--dataset", images);
        Assert.AreEqual(0, code, printed);
        double microAccuracy = double.Parse(printed.Split('\n').First(l => l.Contains("MicroAccuracy")).Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[1], System.Globalization.CultureInfo.InvariantCulture);

        // score: a CSV of image paths relative to the CSV's folder, no labels.
        string list = Path.Combine(folder, "images.csv");
        File.WriteAllLines(list, [.. new[] { "ImagePath" }.Concat(files.Select(f => Path.GetRelativePath(folder, f.Path)))]);
        string scored = Path.Combine(folder, "scored.csv");
        (code, printed) = await CliRun.RunAsync("score", "--model", model, "--dataset", list, "--output", scored);
        Assert.AreEqual(0, code, printed);
        string[] lines = File.ReadAllLines(scored);
        Assert.AreEqual(files.Count + 1, lines.Length);
        int agree = files.Select((f, i) => lines[i + 1].Split(',')[1] == f.Label ? 1 : 0).Sum();
        Assert.AreEqual(microAccuracy, agree / (double)files.Count, 1e-4, "score predicts what evaluate measured on the same images");
        Assert.IsTrue(lines.Skip(1).All(l => l.Split(',')[1] is "circle" or "square"), "every row gets a class");

        string explain = Path.Combine(folder, "explain.png");
        string image = files[0].Path;
        if (File.ReadAllText(Path.Combine(output, "model.json")).Contains("\"ImageAttention\""))
        {
            (code, printed) = await CliRun.RunAsync("explain", "--model", model, "--image", image, "--output", explain);
            Assert.AreEqual(0, code, printed);
            CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(explain)[..4]);
            StringAssert.Contains(File.ReadAllText(Path.Combine(output, "report.html")), "attention map over the image");
        }
        else
        {
            (code, printed) = await CliRun.RunAsync("explain", "--model", model, "--image", image, "--output", explain);
            Assert.AreNotEqual(0, code, "the linear baseline has no attention to explain");
            StringAssert.Contains(printed, "is not an image attention model");
        }
    }

    /// <summary>Circles and squares of random size at random places on grey noise, as PNGs in one subfolder per shape.</summary>
    internal static List<(string Path, string Label)> WriteShapes(string folder, int perClass, int seed)
    {
        var random = new Random(seed);
        var files = new List<(string, string)>();
        foreach (string shape in new[] { "circle", "square" })
        {
            Directory.CreateDirectory(Path.Combine(folder, shape));
            for (int i = 0; i < perClass; i++)
            {
                using var bitmap = new SKBitmap(32, 32);
                for (int y = 0; y < 32; y++)
                {
                    for (int x = 0; x < 32; x++)
                    {
                        byte v = (byte)random.Next(40, 110);
                        bitmap.SetPixel(x, y, new SKColor(v, v, v));
                    }
                }

                using (var canvas = new SKCanvas(bitmap))
                using (var paint = new SKPaint { Color = SKColors.White, IsAntialias = true })
                {
                    float size = random.Next(6, 10), cx = random.Next(8, 24), cy = random.Next(8, 24);
                    if (shape == "circle")
                    {
                        canvas.DrawCircle(cx, cy, size / 2 + 1, paint);
                    }
                    else
                    {
                        canvas.DrawRect(cx - size / 2, cy - size / 2, size, size, paint);
                    }
                }

                string path = Path.Combine(folder, shape, $"{shape}-{i:D3}.png");
                using (SKImage image = SKImage.FromBitmap(bitmap))
                using (SKData png = image.Encode(SKEncodedImageFormat.Png, 100))
                {
                    File.WriteAllBytes(path, png.ToArray());
                }

                files.Add((path, shape));
            }
        }

        return files;
    }
}
