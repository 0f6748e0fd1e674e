namespace Microsoft.ML.Attention.Models;

/// <summary>Batches of rows of similar shape, so that padding stays small (the trainers' bucketing).</summary>
internal static class LengthBuckets
{
    /// <summary>
    /// <paramref name="rows"/> ordered by <paramref name="shape"/> and cut into batches of at most
    /// <paramref name="batchSize"/>. With <paramref name="random"/>, ties are broken and the batches ordered at random;
    /// without, both follow the rows' order.
    /// </summary>
    internal static List<int[]> Split(IReadOnlyList<int> rows, Func<int, (int, int)> shape, int batchSize, Random? random)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int[] order = [.. rows.Select((r, i) => (Row: r, Key: (shape(r), random?.Next() ?? i))).OrderBy(p => p.Key).Select(p => p.Row)];
        var batches = new List<int[]>();
        for (int i = 0; i < order.Length; i += batchSize)
        {
            batches.Add(order[i..Math.Min(order.Length, i + batchSize)]);
        }

        random?.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batches));
        return batches;
    }

    /// <summary>
    /// The indexes of <paramref name="lengths"/> ordered by length and cut into groups that are scored together: a group
    /// grows while padding it to its longest row costs at most <paramref name="slack"/> times its real length, and never
    /// ends with fewer than <paramref name="minimumRows"/> rows (fewer rows make the products too thin to be fast).
    /// </summary>
    internal static List<int[]> Tight(IReadOnlyList<int> lengths, double slack = 1.25, int minimumRows = 8)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        int[] order = [.. Enumerable.Range(0, lengths.Count).OrderBy(i => lengths[i]).ThenBy(i => i)];
        var groups = new List<int[]>();
        int first = 0;
        long real = 0;
        for (int i = 0; i < order.Length; i++)
        {
            int length = lengths[order[i]];
            int rows = i - first;
            if (rows >= minimumRows && (long)(rows + 1) * length > slack * (real + length))
            {
                groups.Add(order[first..i]);
                first = i;
                real = 0;
            }

            real += length;
        }

        if (first < order.Length)
        {
            groups.Add(order[first..]);
        }

        return groups;
    }
}
