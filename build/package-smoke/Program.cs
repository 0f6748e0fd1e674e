// A fresh console app that references only the packed Microsoft.ML.Attention and Microsoft.ML, as a user's would.
// Copied into a temporary project by build/package-smoke.sh, run as `SmokeApp FEED VERSION`: it checks the two
// packages in the feed (README, XML docs, dependencies), then runs a pipeline. Exits non-zero if anything is off.
using System.IO.Compression;
using System.Xml.Linq;
using Microsoft.ML;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: SmokeApp FEED VERSION");
    return 2;
}

var problems = new List<string>();
foreach (string id in new[] { "Microsoft.ML.Attention.Engine", "Microsoft.ML.Attention" })
{
    string nupkg = Path.Combine(args[0], $"{id}.{args[1]}.nupkg");
    if (!File.Exists(Path.ChangeExtension(nupkg, ".snupkg")))
    {
        problems.Add($"{id}: no symbol package");
    }

    using ZipArchive package = ZipFile.OpenRead(nupkg);
    foreach (string wanted in new[] { "README.md", $"lib/net10.0/{id}.dll", $"lib/net10.0/{id}.xml" })
    {
        if (package.GetEntry(wanted) is null)
        {
            problems.Add($"{id}: {wanted} missing");
        }
    }

    using Stream nuspec = package.GetEntry($"{id}.nuspec")!.Open();
    var dependencies = XDocument.Load(nuspec).Descendants().Where(e => e.Name.LocalName == "dependency")
        .ToDictionary(e => (string)e.Attribute("id")!, e => (string)e.Attribute("version")!);
    bool engine = id.EndsWith(".Engine", StringComparison.Ordinal);
    if (engine && dependencies.Keys.Any(d => d.StartsWith("Microsoft.ML", StringComparison.Ordinal)))
    {
        problems.Add($"{id} depends on {string.Join(", ", dependencies.Keys)}: the engine must not depend on ML.NET");
    }

    if (!engine && (dependencies.GetValueOrDefault("Microsoft.ML") != "5.0.1" || dependencies.GetValueOrDefault("Microsoft.ML.Attention.Engine") != args[1]))
    {
        problems.Add($"{id} dependencies: {string.Join(", ", dependencies.Select(d => $"{d.Key} {d.Value}"))}; expected Microsoft.ML 5.0.1 and the engine {args[1]}");
    }

    // No native dependency: ONNX Runtime comes only with the separate Microsoft.ML.Attention.Onnx package.
    if (dependencies.Keys.Any(d => d.Contains("OnnxRuntime", StringComparison.Ordinal) || d.Contains("OnnxTransformer", StringComparison.Ordinal)))
    {
        problems.Add($"{id} depends on {string.Join(", ", dependencies.Keys)}: ONNX Runtime is a native library the pack must not bring");
    }
}

if (problems.Count > 0)
{
    Console.WriteLine("SMOKE FAILED: " + string.Join("; ", problems));
    return 1;
}

Console.WriteLine("packages: README, XML docs, symbols and dependencies as expected");
string directory = Path.Combine(Path.GetTempPath(), "attention-smoke-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(directory);
try
{
    // Reviews whose verdict is one word among filler; written as a TSV file and loaded as ML.NET's docs do.
    var random = new Random(1);
    string[] filler = ["the", "food", "was", "and", "service", "felt", "our", "table", "evening", "really", "quite", "visit"];
    string[] good = ["great", "wonderful", "excellent"], bad = ["awful", "dreadful", "terrible"];
    var lines = new List<string> { "Label\tText" };
    for (int i = 0; i < 800; i++)
    {
        bool positive = random.Next(2) == 0;
        var words = Enumerable.Range(0, random.Next(6, 12)).Select(_ => filler[random.Next(filler.Length)]).ToList();
        words.Insert(random.Next(words.Count), (positive ? good : bad)[random.Next(3)]);
        lines.Add($"{(positive ? "positive" : "negative")}\t{string.Join(' ', words)}");
    }

    string dataPath = Path.Combine(directory, "reviews.tsv");
    File.WriteAllLines(dataPath, lines);

    var mlContext = new MLContext(seed: 0);
    IDataView data = mlContext.Data.LoadFromTextFile<Review>(dataPath, hasHeader: true, separatorChar: '\t');
    var split = mlContext.Data.TrainTestSplit(data, testFraction: 0.25, seed: 1);
    var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
        .Append(mlContext.Transforms.AttentionEncode(new AttentionEncodeOptions
        {
            OutputColumnName = "Embedding", InputColumnName = "Text", ModelDimension = 16, Heads = 2, Layers = 1,
            FeedForwardDimension = 32, Epochs = 6, LearningRate = 3e-3f, MaximumLength = 16, AttentionWeightsColumnName = "Attention",
        }))
        .AppendCacheCheckpoint(mlContext)
        .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Embedding"))
        .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
    ITransformer model = pipeline.Fit(split.TrainSet);
    MulticlassClassificationMetrics metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(split.TestSet));

    string modelPath = Path.Combine(directory, "model.zip");
    mlContext.Model.SaveWithAttention(model, data.Schema, modelPath);
    var fresh = new MLContext();
    ITransformer loaded = fresh.Model.LoadWithAttention(modelPath, out _);
    var engine = fresh.Model.CreatePredictionEngine<Review, Prediction>(loaded);
    Prediction p = engine.Predict(new Review { Text = "the food was wonderful and the service quite" });
    float[] expected = model.Transform(fresh.Data.LoadFromEnumerable([new Review { Text = "the food was wonderful and the service quite" }]))
        .GetColumn<float[]>("Score").Single();

    Console.WriteLine($"accuracy {metrics.MacroAccuracy:F3}; 'wonderful' review → {p.PredictedLabel}; attention weights {p.Attention.Length}");
    bool ok = metrics.MacroAccuracy > 0.9 && p.PredictedLabel == "positive" && p.Score.SequenceEqual(expected) && p.Attention.Length == 16;
    Console.WriteLine(ok ? "SMOKE OK" : "SMOKE FAILED");
    return ok ? 0 : 1;
}
finally
{
    Directory.Delete(directory, recursive: true);
}

public sealed class Review
{
    [LoadColumn(0)] public string Label { get; set; } = "";
    [LoadColumn(1)] public string Text { get; set; } = "";
}

public sealed class Prediction
{
    public string PredictedLabel { get; set; } = "";
    public float[] Score { get; set; } = [];
    public float[] Attention { get; set; } = [];
}
