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
}
