using System.Globalization;
using Microsoft.ML.Attention.AutoML;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Microsoft.ML.Attention.Cli.Training;

/// <summary>The sweep's trials so far, best first, as a Spectre.Console table (shown live while the sweep runs).</summary>
internal sealed class Leaderboard(string metricName, TimeSpan budget, int rowsShown = 10)
{
    private readonly List<(TrialResult Trial, TimeSpan EndedAt)> _trials = [];
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly object _gate = new();

    /// <summary>Every trial with the time since the sweep began at which it ended.</summary>
    public IReadOnlyList<(TrialResult Trial, TimeSpan EndedAt)> Trials
    {
        get
        {
            lock (_gate)
            {
                return [.. _trials];
            }
        }
    }

    /// <summary>Records a finished trial.</summary>
    public void Add(TrialResult trial)
    {
        lock (_gate)
        {
            _trials.Add((trial, _clock.Elapsed));
        }
    }

    /// <summary>One plain line for a trial (non-interactive consoles get these instead of the live table).</summary>
    public static string Line(TrialResult t, string metricName) =>
        t.Succeeded
            ? string.Create(CultureInfo.InvariantCulture, $"trial {t.TrialId,3}  {t.Candidate,-36} {metricName} {t.Metric:F4}  {t.Duration.TotalSeconds,6:F1} s  {t.PeakMemoryInMegaBytes,6:F0} MB  {Parameters(t)}")
            : string.Create(CultureInfo.InvariantCulture, $"trial {t.TrialId,3}  {t.Candidate,-36} {(t.Error is OperationCanceledException ? "stopped at the budget" : "failed: " + t.Error!.Message)}");

    /// <summary>The trial's parameters as name=value pairs.</summary>
    public static string Parameters(TrialResult t) => string.Join(" ", t.Parameters.Select(p => $"{p.Key}={SweepParameterFormat(p.Value)}"));

    /// <summary>The live table.</summary>
    public IRenderable Render()
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]Sweep[/] ({_clock.Elapsed.TotalSeconds:F0} s of {budget.TotalSeconds:F0} s)");
        table.AddColumns("#", "Candidate", metricName, "Seconds", "Memory (MB)", "Parameters");
        List<TrialResult> trials;
        lock (_gate)
        {
            trials = [.. _trials.Select(t => t.Trial)];
        }

        foreach (TrialResult t in trials.Where(t => t.Succeeded).OrderByDescending(t => t.Metric).Take(rowsShown))
        {
            table.AddRow(
                t.TrialId.ToString(CultureInfo.InvariantCulture), Markup.Escape(t.Candidate), t.Metric.ToString("F4", CultureInfo.InvariantCulture),
                t.Duration.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture), t.PeakMemoryInMegaBytes.ToString("F0", CultureInfo.InvariantCulture), Markup.Escape(Parameters(t)));
        }

        int failed = trials.Count(t => !t.Succeeded);
        table.Caption($"{trials.Count} trial(s){(failed > 0 ? $", {failed} stopped or failed" : "")}");
        return table;
    }

    private static string SweepParameterFormat(object value) => value switch
    {
        float f => f.ToString("G4", CultureInfo.InvariantCulture),
        double d => d.ToString("G4", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
