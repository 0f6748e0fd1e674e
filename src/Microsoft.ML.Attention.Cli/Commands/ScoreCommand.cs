using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.ML.Attention.Cli.Data;
using Microsoft.ML.Attention.Cli.Output;
using Microsoft.ML.Attention.Cli.Scoring;
using Spectre.Console;

namespace Microsoft.ML.Attention.Cli.Commands;

/// <summary>
/// <c>score</c>: streams a CSV/TSV file through a text or image model block by block (bounded memory), writing every input
/// column plus <c>PredictedLabel</c> and one <c>Score.&lt;class&gt;</c> column per class to a file that appears only when complete; <c>--shard i/N</c> scores
/// one deterministic share of the rows (see <see cref="ShardSpec"/>; <c>merge</c> joins the shards).
/// </summary>
internal static class ScoreCommand
{
    /// <summary>The command.</summary>
    public static System.CommandLine.Command Create(IAnsiConsole console)
    {
        var model = new Option<string>("--model", "-m") { Description = "The model zip (model.json beside it names the columns).", Required = true };
        var dataset = new Option<string>("--dataset", "-d") { Description = "The CSV/TSV file to score (header required; the label column may be absent).", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "The scored file (CSV or TSV as its extension says, else as the input); written atomically.", Required = true };
        var shard = new Option<string?>("--shard") { Description = $"Score shard i of N only: blocks of {ShardSpec.BlockRows} rows dealt round-robin (e.g. --shard $SLURM_ARRAY_TASK_ID/4)." };
        var labelColumn = new Option<string?>("--label-col") { Description = "The label column, when the model has no model.json beside it (default Label)." };
        var command = new System.CommandLine.Command("score", "Score a CSV/TSV file of any size with a trained model, in bounded memory.") { model, dataset, output, shard, labelColumn };
        command.SetAction((result, token) => CommandRunner.RunAsync(console, () => Task.FromResult(Run(
            console, result.GetValue(model)!, result.GetValue(dataset)!, result.GetValue(output)!, result.GetValue(shard), result.GetValue(labelColumn), token))));
        return command;
    }

    /// <summary>Runs the command.</summary>
    internal static int Run(IAnsiConsole console, string modelPath, string datasetPath, string outputPath, string? shardText, string? labelColumn, CancellationToken token)
    {
        ShardSpec shard = shardText is null ? ShardSpec.All : ShardSpec.Parse(shardText);
        var mlContext = new MLContext(0);
        ClassifierModel model = ClassifierModel.Load(mlContext, modelPath, labelColumn);
        using var reader = new DelimitedReader(datasetPath);
        int text = reader.Require(model.InputColumn, "--dataset");
        int label = reader.IndexOf(model.LabelColumn);
        if (Path.GetFullPath(outputPath) == Path.GetFullPath(datasetPath))
        {
            throw new CliException("--output: the output would overwrite the input.");
        }

        char separator = Path.GetExtension(outputPath).ToLowerInvariant() switch { ".csv" => ',', ".tsv" or ".tab" => '\t', _ => reader.Separator };
        string folder = Path.GetDirectoryName(Path.GetFullPath(datasetPath))!;
        using var staging = new StagingFile(outputPath);
        var progress = new ScoreProgress(console, reader.Length, TimeSpan.FromSeconds(5));
        long scoredRows = 0;
        using (var stream = new FileStream(staging.Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16))
        {
            var output = new DelimitedWriter(writer, separator);
            output.Write([.. reader.Header, "PredictedLabel", .. model.ScoreClasses.Select(c => "Score." + c)]);
            var block = new List<string[]>(ShardSpec.BlockRows);
            var fields = new List<string>();
            long row = 0;
            while (reader.TryRead(fields))
            {
                if (shard.Holds(row++))
                {
                    block.Add([.. fields]);
                    if (block.Count == ShardSpec.BlockRows)
                    {
                        scoredRows += Score(model, block, text, label, folder, output, token);
                        progress.Report(scoredRows, reader.Position);
                    }
                }
            }

            scoredRows += Score(model, block, text, label, folder, output, token);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        staging.Commit();
        progress.Report(scoredRows, reader.Length, final: true);
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{outputPath}: {scoredRows} rows{(shard.Count > 1 ? $" (shard {shard})" : "")} in {progress.Elapsed.TotalSeconds:F1} s; peak working set {System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MB.")));
        return 0;
    }

    /// <summary>Scores one block and writes it; returns its row count and empties it.</summary>
    /// <param name="model">The model.</param>
    /// <param name="block">The block's records.</param>
    /// <param name="text">The input column's index.</param>
    /// <param name="label">The label column's index, or -1.</param>
    /// <param name="folder">The input file's folder, which image paths are relative to.</param>
    /// <param name="output">Where the scored records go.</param>
    /// <param name="token">Stops scoring.</param>
    private static int Score(ClassifierModel model, List<string[]> block, int text, int label, string folder, DelimitedWriter output, CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        if (block.Count == 0)
        {
            return 0;
        }

        List<Prediction> predictions = model.Score([.. block.Select(f => new InputRow { Label = label >= 0 ? f[label] : "", Input = model.IsImage ? Path.GetFullPath(f[text], folder) : f[text] })]);
        for (int i = 0; i < block.Count; i++)
        {
            output.Write([.. block[i], predictions[i].PredictedLabel, .. predictions[i].Scores.Select(s => s.ToString("R", CultureInfo.InvariantCulture))]);
        }

        int count = block.Count;
        block.Clear();
        return count;
    }
}
