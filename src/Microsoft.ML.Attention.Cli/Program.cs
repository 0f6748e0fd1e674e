using Microsoft.ML.Attention.Cli;
using Spectre.Console;

IAnsiConsole console = AnsiConsole.Console;
if (Console.IsOutputRedirected)
{
    // Piped or logged output (CI, Slurm): long lines stay whole instead of wrapping at 80 columns.
    console.Profile.Width = 240;
}

return await CliApplication.RunAsync(args, console);
