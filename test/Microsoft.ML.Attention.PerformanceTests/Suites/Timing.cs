using System.Diagnostics;
using System.Globalization;

namespace Microsoft.ML.Attention.PerformanceTests.Suites;

/// <summary>Best-of-N wall-clock timing after warm-up, and the RESULT line format shared by all suites.</summary>
internal static class Timing
{
    /// <summary>Seconds per call: the best mean over <paramref name="rounds"/> rounds of calls lasting about <paramref name="roundSeconds"/> each.</summary>
    internal static double BestSeconds(Action work, int rounds = 7, double roundSeconds = 0.2)
    {
        work();
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (sw.Elapsed.TotalSeconds < roundSeconds || calls < 2)
        {
            work();
            calls++;
        }

        double best = double.MaxValue;
        for (int r = 0; r < rounds; r++)
        {
            sw.Restart();
            for (int i = 0; i < calls; i++)
            {
                work();
            }

            best = Math.Min(best, sw.Elapsed.TotalSeconds / calls);
        }

        return best;
    }

    internal static void Result(string name, double value, string unit)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {name} {value:G5} {unit}"));
    }
}
