using System.CommandLine;
using Microsoft.ML.Attention.Cli.Commands;
using Spectre.Console;

namespace Microsoft.ML.Attention.Cli;

/// <summary>The command line: its commands, and one entry that tests call in process.</summary>
internal static class CliApplication
{
    /// <summary>The root command with every subcommand, writing to <paramref name="console"/>.</summary>
    public static RootCommand Create(IAnsiConsole console) => new("mlnet-attention: train, evaluate, score and explain attention models for ML.NET, as mlnet does for its own.")
    {
        TextClassificationCommand.Create(console),
        ImageClassificationCommand.Create(console),
        EvaluateCommand.Create(console),
        ScoreCommand.Create(console),
        MergeCommand.Create(console),
        ExplainCommand.Create(console),
    };

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (0 on success).</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="console">Where messages go.</param>
    /// <param name="output">Where help and parse errors go (null: the process's standard streams).</param>
    /// <param name="cancellationToken">Stops a running command (nothing is written).</param>
    public static Task<int> RunAsync(string[] args, IAnsiConsole console, TextWriter? output = null, CancellationToken cancellationToken = default)
    {
        var configuration = new InvocationConfiguration();
        if (output is not null)
        {
            configuration.Output = output;
            configuration.Error = output;
        }

        return Create(console).Parse(args).InvokeAsync(configuration, cancellationToken);
    }
}
