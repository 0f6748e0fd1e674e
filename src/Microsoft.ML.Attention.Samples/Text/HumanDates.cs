using System.Globalization;

namespace Microsoft.ML.Attention.Samples.Text;

/// <summary>
/// Dates as people write them (the formats of the classic attention demo: "3/7/19", "Mar 7, 2019", "thursday, march 7,
/// 2019", "07.03.19", …), each with its ISO form "2019-03-07". Days are uniform over 1950–2049, so that a two-digit year
/// has one reading (50–99 → 19xx, 00–49 → 20xx); no format is ambiguous. Deterministic given the generator.
/// </summary>
public static class HumanDates
{
    private static readonly string[] Formats =
    [
        "M/d/yy", "MMM d, yyyy", "MMMM d, yyyy", "dddd, MMMM d, yyyy", "d MMM yyyy", "d MMMM yyyy", "dd MMM yyyy", "d MMM, yyyy",
        "d MMMM, yyyy", "dd, MMM yyyy", "d MM yy", "MMMM d yyyy", "dd.MM.yy", "ddd d MMM yyyy", "yyyy/MM/dd",
    ];

    private static readonly DateTime First = new(1950, 1, 1);

    private static readonly int Days = (new DateTime(2049, 12, 31) - First).Days + 1;

    /// <summary>One (written, ISO) pair: a random day in a random format, lower-cased half of the time.</summary>
    public static (string Written, string Iso) Next(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        DateTime day = First.AddDays(random.Next(Days));
        string written = day.ToString(Formats[random.Next(Formats.Length)], CultureInfo.InvariantCulture);
        if (random.Next(2) == 0)
        {
            written = written.ToLowerInvariant();
        }

        return (written, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// <paramref name="train"/> training pairs and <paramref name="test"/> held-out pairs whose written forms never occur
    /// in training.
    /// </summary>
    public static ((string Written, string Iso)[] Train, (string Written, string Iso)[] Test) Split(int train, int test, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var training = new List<(string, string)>(train);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (training.Count < train)
        {
            (string written, string iso) = Next(random);
            seen.Add(written);
            training.Add((written, iso));
        }

        var held = new List<(string, string)>(test);
        while (held.Count < test)
        {
            (string written, string iso) = Next(random);
            if (seen.Add(written))
            {
                held.Add((written, iso));
            }
        }

        return ([.. training], [.. held]);
    }
}
