using Spectre.Console;

namespace Microsoft.ML.Attention.Cli.Commands;

/// <summary>Runs a command's body: a <see cref="CliException"/> becomes one red line and exit code 1, Ctrl+C exit code 130.</summary>
internal static class CommandRunner
{
    /// <summary>Exit code of a user error.</summary>
    public const int Failed = 1;

    /// <summary>Exit code of a cancelled command.</summary>
    public const int Cancelled = 130;

    /// <summary>Runs <paramref name="body"/>.</summary>
    public static async Task<int> RunAsync(IAnsiConsole console, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (CliException e)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return Failed;
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine("[yellow]cancelled[/]: nothing was written.");
            return Cancelled;
        }
    }
}
