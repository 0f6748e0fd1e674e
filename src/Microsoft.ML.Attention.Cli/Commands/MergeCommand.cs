using System.CommandLine;
using System.Text;
using Microsoft.ML.Attention.Cli.Data;
using Microsoft.ML.Attention.Cli.Output;
using Microsoft.ML.Attention.Cli.Scoring;
using Spectre.Console;

namespace Microsoft.ML.Attention.Cli.Commands;

/// <summary><c>merge</c>: joins the outputs of <c>score --shard i/N</c> (given in shard order) back into the input's row order.</summary>
internal static class MergeCommand
{
    /// <summary>The command.</summary>
    public static System.CommandLine.Command Create(IAnsiConsole console)
    {
        var output = new Option<string>("--output", "-o") { Description = "The merged file (written atomically).", Required = true };
        var shards = new Argument<string[]>("shards") { Description = "The shard files, shard 1 first.", Arity = ArgumentArity.OneOrMore };
        var command = new System.CommandLine.Command("merge", "Merge the files of score --shard 1/N … N/N into one, in the input's row order.") { output, shards };
        command.SetAction((result, token) => CommandRunner.RunAsync(console, () => Task.FromResult(Run(console, result.GetValue(shards)!, result.GetValue(output)!, token))));
        return command;
    }

    /// <summary>Runs the command.</summary>
    internal static int Run(IAnsiConsole console, IReadOnlyList<string> shardPaths, string outputPath, CancellationToken token)
    {
        var readers = new List<DelimitedReader>();
        try
        {
            foreach (string path in shardPaths)
            {
                readers.Add(new DelimitedReader(path));
                if (!readers[^1].Header.SequenceEqual(readers[0].Header) || readers[^1].Separator != readers[0].Separator)
                {
                    throw new CliException($"'{path}' does not have the columns and separator of '{shardPaths[0]}'; are they shards of one score run?");
                }
            }

            using var staging = new StagingFile(outputPath);
            long rows = 0;
            using (var stream = new FileStream(staging.Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16))
            {
                var output = new DelimitedWriter(writer, readers[0].Separator);
                output.Write(readers[0].Header);
                var fields = new List<string>();
                for (int shard = 0; ; shard = (shard + 1) % readers.Count)
                {
                    token.ThrowIfCancellationRequested();
                    int taken = 0;
                    while (taken < ShardSpec.BlockRows && readers[shard].TryRead(fields))
                    {
                        output.Write(fields);
                        taken++;
                    }

                    rows += taken;
                    if (taken < ShardSpec.BlockRows)
                    {
                        // The input's last block (short or empty) ends the merge: every other shard must be finished too.
                        int other = Enumerable.Range(0, readers.Count).FirstOrDefault(i => i != shard && readers[i].TryRead(fields), -1);
                        if (other >= 0)
                        {
                            throw new CliException($"'{shardPaths[other]}' holds rows after '{shardPaths[shard]}' ran out; the shards are out of order or incomplete.");
                        }

                        break;
                    }
                }

                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            staging.Commit();
            console.MarkupLine(Markup.Escape($"{outputPath}: {rows} rows from {readers.Count} shards."));
            return 0;
        }
        finally
        {
            readers.ForEach(r => r.Dispose());
        }
    }
}
