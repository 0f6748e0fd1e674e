using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Scores the groups of a block of rows (<see cref="LengthBuckets.Tight"/>) with every core: the groups are cut into
/// pieces of similar cost, and each piece runs on one thread from start to end (<see cref="EngineThreads.ForEachPiece"/>),
/// the costliest first. A forward pass over a block is many kernels of a few microseconds; spread over the cores one by
/// one they leave a core waiting at every step, while pieces keep each core busy with a whole pass of its own.
/// </summary>
internal static class ScoringPieces
{
    /// <summary>
    /// Fewest tokens (rows × padded length) a piece holds, unless its group is smaller; a group is cut into as many
    /// pieces as hold this many, so a piece holds fewer than twice as many unless it is one row. Thinner products are
    /// slow, and thicker pieces outgrow a core's cache: on one core, the default model scores 256-word rows at 668 rows/s
    /// one at a time, 644 four at a time and 598 sixteen at a time (<c>build/bench.sh scoring-parts</c>).
    /// </summary>
    internal const int MinimumTokens = 512;

    /// <summary>
    /// Runs <paramref name="score"/> once per piece of <paramref name="groups"/> (indexes into <paramref name="lengths"/>):
    /// on the calling thread when its kernels use one thread or the block is too small to cut, else spread over the threads.
    /// </summary>
    internal static void Run(IReadOnlyList<int[]> groups, IReadOnlyList<int> lengths, Action<int[]> score)
    {
        List<int[]> pieces = Cut(groups, lengths, EngineThreads.Available);
        if (pieces.Count < 2)
        {
            foreach (int[] piece in pieces)
            {
                score(piece);
            }

            return;
        }

        EngineThreads.ForEachPiece(pieces.Count, p => score(pieces[p]));
    }

    /// <summary>
    /// The pieces for <paramref name="threads"/> threads, costliest first: every group whole when one thread, else each
    /// cut into as many contiguous parts of whole rows as hold at least <see cref="MinimumTokens"/> each (one when the
    /// group holds fewer).
    /// </summary>
    internal static List<int[]> Cut(IReadOnlyList<int[]> groups, IReadOnlyList<int> lengths, int threads)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(lengths);
        if (threads < 2)
        {
            return [.. groups];
        }

        long Tokens(int[] group) => (long)group.Length * Math.Max(1, group.Max(i => lengths[i]));
        var pieces = new List<(int[] Rows, long Tokens)>();
        foreach (int[] group in groups)
        {
            long tokens = Tokens(group);
            int parts = (int)Math.Min(Math.Max(1, tokens / MinimumTokens), group.Length);
            for (int p = 0; p < parts; p++)
            {
                int start = (int)((long)group.Length * p / parts), end = (int)((long)group.Length * (p + 1) / parts);
                int[] rows = group[start..end];
                pieces.Add((rows, Tokens(rows)));
            }
        }

        return [.. pieces.OrderByDescending(p => p.Tokens).Select(p => p.Rows)];
    }
}
