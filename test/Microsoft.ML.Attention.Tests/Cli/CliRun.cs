using Microsoft.ML.Attention.Cli;
using Spectre.Console;

namespace Microsoft.ML.Attention.Tests.Cli;

/// <summary>Runs the command line in process, as <c>mlnet-attention args…</c> would, capturing what it prints.</summary>
internal static class CliRun
{
    /// <summary>The exit code and everything printed (messages, help and parse errors).</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    /// <summary>As <see cref="RunAsync(string[])"/>, stopped by <paramref name="cancellationToken"/>.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var writer = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 240;
        int code = await CliApplication.RunAsync(args, console, writer, cancellationToken);
        Console.WriteLine($"mlnet-attention {string.Join(' ', args)} -> {code}\n{writer}");
        return (code, writer.ToString());
    }

    /// <summary>A labelled TSV (columns Sentiment, Review): the label is decided by one of a few cue words among filler.</summary>
    public static string WriteReviews(string folder, int rows, int seed)
    {
        string[] filler = "the a of and to in is it that was for on with as this at by an be".Split(' ');
        string[] good = ["great", "wonderful", "excellent", "superb"], bad = ["awful", "terrible", "boring", "dreadful"];
        var random = new Random(seed);
        var lines = new List<string> { "Sentiment\tReview" };
        for (int i = 0; i < rows; i++)
        {
            bool positive = random.Next(2) == 0;
            var words = Enumerable.Range(0, random.Next(6, 16)).Select(_ => filler[random.Next(filler.Length)]).ToList();
            string[] cues = positive ? good : bad;
            words.Insert(random.Next(words.Count), cues[random.Next(cues.Length)]);
            lines.Add($"{(positive ? "pos" : "neg")}\t{string.Join(' ', words)}");
        }

        string path = Path.Combine(folder, "reviews.tsv");
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>A fresh empty folder under the test's temporary folder.</summary>
    public static string NewFolder()
    {
        string path = Path.Combine(Path.GetTempPath(), "mlnet-attention-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
