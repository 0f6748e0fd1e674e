namespace Microsoft.ML.Attention.Tests.Cli;

/// <summary>Bad arguments: a clear message, a non-zero exit code, and no output left behind.</summary>
[TestClass]
public sealed class CliBadArgumentTests
{
    private static async Task AssertRefused(string folder, string expected, params string[] args)
    {
        string[] before = Directory.GetFileSystemEntries(folder);
        (int code, string printed) = await CliRun.RunAsync(args);
        Assert.AreNotEqual(0, code, printed);
        StringAssert.Contains(printed, expected);
        CollectionAssert.AreEquivalent(before, Directory.GetFileSystemEntries(folder), "nothing is written, not even a staging folder");
    }

    [TestMethod]
    public async Task MissingDataset_IsNamed()
    {
        string folder = CliRun.NewFolder();
        await AssertRefused(folder, "'" + Path.Combine(folder, "missing.tsv") + "' is neither a file nor a folder",
            "text-classification", "--dataset", Path.Combine(folder, "missing.tsv"), "--label-col", "Label", "--output", Path.Combine(folder, "out"));
    }

    [TestMethod]
    public async Task UnknownColumn_ListsTheFilesColumns()
    {
        string folder = CliRun.NewFolder();
        string data = CliRun.WriteReviews(folder, 20, seed: 1);
        await AssertRefused(folder, "the column 'Mood' is not in", "text-classification", "--dataset", data, "--label-col", "Mood", "--output", Path.Combine(folder, "out"));
        await AssertRefused(folder, "its columns are 'Sentiment', 'Review'", "text-classification", "--dataset", data, "--label-col", "Sentiment", "--text-col", "Body", "--output", Path.Combine(folder, "out"));
    }

    [TestMethod]
    public async Task LabelWithOneClass_IsRefused()
    {
        string folder = CliRun.NewFolder();
        string data = Path.Combine(folder, "one.tsv");
        File.WriteAllLines(data, ["Label\tText", "a\tfirst text", "a\tsecond text", "a\tthird text"]);
        await AssertRefused(folder, "has one class ('a') in 3 rows", "text-classification", "--dataset", data, "--label-col", "Label", "--output", Path.Combine(folder, "out"));
    }

    [TestMethod]
    public async Task RaggedRow_NamesTheLine()
    {
        string folder = CliRun.NewFolder();
        string data = Path.Combine(folder, "ragged.tsv");
        File.WriteAllLines(data, ["Label\tText", "a\tfine", "b\tone\ttoo many"]);
        await AssertRefused(folder, "line 3: 3 field(s) where the header has 2", "text-classification", "--dataset", data, "--label-col", "Label", "--output", Path.Combine(folder, "out"));
    }

    [TestMethod]
    public async Task OptionsOutOfRange_AreNamed()
    {
        string folder = CliRun.NewFolder();
        string data = CliRun.WriteReviews(folder, 20, seed: 1);
        string output = Path.Combine(folder, "out");
        await AssertRefused(folder, "--trainers: 'bert' is not one of", "text-classification", "--dataset", data, "--label-col", "Sentiment", "--trainers", "bert", "--output", output);
        await AssertRefused(folder, "--validation-fraction: 1.5 is not between 0 and 1", "text-classification", "--dataset", data, "--label-col", "Sentiment", "--validation-fraction", "1.5", "--output", output);
        await AssertRefused(folder, "Option '--dataset' is required", "text-classification", "--label-col", "Sentiment");
        await AssertRefused(folder, "--shard: '0/4' is not i/N", "score", "--model", Path.Combine(folder, "m.zip"), "--dataset", data, "--output", Path.Combine(folder, "s.tsv"), "--shard", "0/4");
    }

    [TestMethod]
    public async Task MissingOrDamagedModel_IsNamed()
    {
        string folder = CliRun.NewFolder();
        string data = CliRun.WriteReviews(folder, 20, seed: 1);
        await AssertRefused(folder, "the model file '" + Path.Combine(folder, "m.zip") + "' does not exist", "score", "--model", Path.Combine(folder, "m.zip"), "--dataset", data, "--output", Path.Combine(folder, "s.tsv"));
        string damaged = Path.Combine(folder, "damaged.zip");
        File.WriteAllText(damaged, "not a zip");
        await AssertRefused(folder, "cannot be loaded", "evaluate", "--model", damaged, "--dataset", data);
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task CancelledSweep_LeavesNoOutput_AndAnExistingOutputIntact()
    {
        string folder = CliRun.NewFolder();
        string data = CliRun.WriteReviews(folder, 200, seed: 2);
        string output = Path.Combine(folder, "out");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "model.zip"), "an earlier model");
        string[] before = Directory.GetFileSystemEntries(folder);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        (int code, string printed) = await CliRun.RunAsync(
            cancel.Token, "text-classification", "--dataset", data, "--label-col", "Sentiment", "--train-time", "60", "--output", output);
        Assert.AreEqual(130, code, "cancelled");
        StringAssert.Contains(printed, "nothing was written");
        CollectionAssert.AreEquivalent(before, Directory.GetFileSystemEntries(folder), "no staging folder is left");
        Assert.AreEqual("an earlier model", File.ReadAllText(Path.Combine(output, "model.zip")), "the earlier output is untouched");
    }
}
