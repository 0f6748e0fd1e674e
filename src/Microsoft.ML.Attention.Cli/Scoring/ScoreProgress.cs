using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Microsoft.ML.Attention.Cli.Scoring;

/// <summary>Scoring progress: rows scored, rows/s and the time left from the share of the file read, a line every few seconds.</summary>
internal sealed class ScoreProgress(IAnsiConsole console, long totalBytes, TimeSpan every)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _last = TimeSpan.Zero;

    /// <summary>Seconds since scoring began.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Reports, when the interval has passed since the last line.</summary>
    public void Report(long rows, long bytesRead, bool final = false)
    {
        TimeSpan now = _clock.Elapsed;
        if (!final && now - _last < every)
        {
            return;
        }

        _last = now;
        double share = totalBytes == 0 ? 1 : Math.Min(1, (double)bytesRead / totalBytes);
        double rate = rows / Math.Max(now.TotalSeconds, 1e-9);
        string eta = share > 0 && !final ? $", about {TimeSpan.FromSeconds(Math.Round(now.TotalSeconds * (1 - share) / share)):g} left" : "";
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{(final ? "scored" : "scoring")}: {rows} rows, {share:P0} of the file, {rate:F0} rows/s{eta}")));
    }
}
