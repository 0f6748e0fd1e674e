using System.Text;

namespace Microsoft.ML.Attention.Tests.Cli;

/// <summary>
/// The command line end to end, in process: <c>text-classification</c> on a small TSV with a short budget, then
/// <c>evaluate</c>, <c>score</c> (whole and in shards, merged), <c>explain</c> on what it left. (Building and running
/// the generated consuming project, and installing the tool, are in build/cli-smoke.sh, which CI runs.)
/// </summary>
[TestClass]
public sealed class TextClassificationCliTests
{
    [TestMethod]
    [Timeout(240_000, CooperativeCancellation = true)]
    public async Task TextClassification_LeavesModelReportAndProject_ThenEvaluateScoreExplainWork()
    {
        string folder = CliRun.NewFolder();
        string data = CliRun.WriteReviews(folder, 400, seed: 5);
        string output = Path.Combine(folder, "model");
        (int code, string printed) = await CliRun.RunAsync(
            "text-classification", "--dataset", data, "--label-col", "Sentiment", "--train-time", "12", "--trainers", "attention-encode,han", "--output", output, "--name", "Reviews");
        Assert.AreEqual(0, code, printed);
        StringAssert.Contains(printed, "trial ");
        StringAssert.Contains(printed, "Best: ");
        foreach (string file in new[] { "model.zip", "model.json", "report.html", "training-curve.png", "epochs.png", "attention-1.png", "Reviews.ConsoleApp/Reviews.ConsoleApp.csproj", "Reviews.ConsoleApp/Program.cs" })
        {
            Assert.IsTrue(File.Exists(Path.Combine(output, file)), $"{file} written");
        }

        foreach (string png in Directory.GetFiles(output, "*.png"))
        {
            CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png)[..4], $"{png} is a PNG");
        }

        string report = File.ReadAllText(Path.Combine(output, "report.html"));
        StringAssert.Contains(report, "Confusion matrix");
        StringAssert.Contains(report, "Macro accuracy");
        StringAssert.Contains(report, "<span title=", "the attention of validation rows is drawn");
        Assert.AreEqual(0, Directory.GetDirectories(folder, ".*").Length, "no staging folder is left behind");
        string program = File.ReadAllText(Path.Combine(output, "Reviews.ConsoleApp", "Program.cs"));
        StringAssert.Contains(program, "[ColumnName(\"Review\")]");
        StringAssert.Contains(program, "LoadWithAttention");

        string model = Path.Combine(output, "model.zip");
        (code, printed) = await CliRun.RunAsync("evaluate", "--model", model, "--dataset", data);
        Assert.AreEqual(0, code, printed);
        double accuracy = double.Parse(printed.Split('\n').First(l => l.Contains("MacroAccuracy")).Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.IsGreaterThan(0.9, accuracy, "the cue words are learned");

        // score: every row, in order, with its prediction; the labels need not be there.
        string unlabeled = Path.Combine(folder, "unlabeled.csv");
        string[] reviews = [.. File.ReadAllLines(data).Skip(1).Select(l => l.Split('\t')[1])];
        File.WriteAllLines(unlabeled, [.. new[] { "Id,Review" }.Concat(reviews.Select((r, i) => $"{i},\"{r}, \"\"quoted\"\"\""))]);
        string scored = Path.Combine(folder, "scored.csv");
        (code, printed) = await CliRun.RunAsync("score", "--model", model, "--dataset", unlabeled, "--output", scored);
        Assert.AreEqual(0, code, printed);
        string[] lines = File.ReadAllLines(scored);
        StringAssert.StartsWith(lines[0], "Id,Review,PredictedLabel,");
        CollectionAssert.AreEquivalent(new[] { "Score.neg", "Score.pos" }, lines[0].Split(',')[3..], "one score column per class, named");
        Assert.AreEqual(reviews.Length + 1, lines.Length);
        string[] labels = [.. File.ReadAllLines(data).Skip(1).Select(l => l.Split('\t')[0])];
        int agree = 0;
        for (int i = 0; i < reviews.Length; i++)
        {
            Assert.StartsWith($"{i},\"{reviews[i]}, \"\"quoted\"\"\",", lines[i + 1], "input fields are written back as they were");
            string[] fields = lines[i + 1].Split(',');
            agree += fields[^3] == labels[i] ? 1 : 0;
            Assert.AreEqual(1.0, double.Parse(fields[^2], System.Globalization.CultureInfo.InvariantCulture) + double.Parse(fields[^1], System.Globalization.CultureInfo.InvariantCulture), 1e-5, "the class scores are probabilities");
        }

        Assert.IsGreaterThan(0.9 * reviews.Length, agree, "score predicts as evaluate measured");

        // explain: a picture of one row's attention.
        string explain = Path.Combine(folder, "explain.html");
        (code, printed) = await CliRun.RunAsync("explain", "--model", model, "--dataset", unlabeled, "--row", "3", "--output", explain);
        Assert.AreEqual(0, code, printed);
        StringAssert.Contains(printed, "Predicted ");
        StringAssert.Contains(File.ReadAllText(explain), "<span title=");
        Assert.IsTrue(File.Exists(Path.ChangeExtension(explain, ".png")));
    }

    [TestMethod]
    [Timeout(240_000, CooperativeCancellation = true)]
    public async Task ScoreInShards_MergedInOrder_EqualsOneScoreByteForByte()
    {
        string folder = CliRun.NewFolder();
        string data = CliRun.WriteReviews(folder, 300, seed: 6);
        string output = Path.Combine(folder, "model");
        (int code, string printed) = await CliRun.RunAsync(
            "text-classification", "--dataset", data, "--label-col", "Sentiment", "--train-time", "5", "--trainers", "attention-encode", "--max-models", "2", "--output", output);
        Assert.AreEqual(0, code, printed);
        string model = Path.Combine(output, "model.zip");

        // 3,500 rows: four blocks of 1,024 rows (the last short) dealt to three shards.
        var random = new Random(9);
        string[] words = "the a great awful of and superb boring x,y \"quoted\"".Split(' ');
        string big = Path.Combine(folder, "big.tsv");
        File.WriteAllLines(big, [.. new[] { "Review" }.Concat(Enumerable.Range(0, 3500).Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(1, 30)).Select(_ => words[random.Next(words.Length)]))))]);
        string whole = Path.Combine(folder, "whole.tsv");
        Assert.AreEqual(0, (await CliRun.RunAsync("score", "--model", model, "--dataset", big, "--output", whole)).ExitCode);
        var parts = new List<string>();
        for (int shard = 1; shard <= 3; shard++)
        {
            parts.Add(Path.Combine(folder, $"part{shard}.tsv"));
            Assert.AreEqual(0, (await CliRun.RunAsync("score", "--model", model, "--dataset", big, "--output", parts[^1], "--shard", $"{shard}/3")).ExitCode);
        }

        Assert.AreEqual(1 + 1024 + 428, File.ReadAllLines(parts[0]).Length, "shard 1 holds blocks 1 and 4 (short): 1,024 + 428 rows");
        string merged = Path.Combine(folder, "merged.tsv");
        Assert.AreEqual(0, (await CliRun.RunAsync(["merge", "--output", merged, .. parts])).ExitCode);
        CollectionAssert.AreEqual(File.ReadAllBytes(whole), File.ReadAllBytes(merged), "merged shards equal one score run");

        (code, printed) = await CliRun.RunAsync(["merge", "--output", Path.Combine(folder, "wrong.tsv"), parts[1], parts[0], parts[2]]);
        Assert.AreNotEqual(0, code, "shards out of order are refused");
        StringAssert.Contains(printed, "out of order");
        Assert.IsFalse(File.Exists(Path.Combine(folder, "wrong.tsv")), "no partial output");
    }
}
