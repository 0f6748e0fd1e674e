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
    /// <summary>Fewest tokens (rows × padded length) a piece holds, unless its group is smaller: thinner products are slow.</summary>
    internal const int MinimumTokens = 512;

    /// <summary>Pieces per thread the block's tokens are cut into at most, so that threads finishing early take another.</summary>
    internal const int PiecesPerThread = 2;

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
    /// cut into contiguous parts of at most the block's tokens / (threads · <see cref="PiecesPerThread"/>) (or
    /// <see cref="MinimumTokens"/>, when more), rounded to whole rows.
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
        long[] groupTokens = [.. groups.Select(Tokens)];
        long target = Math.Max(MinimumTokens, groupTokens.Sum() / (threads * PiecesPerThread));
        var pieces = new List<(int[] Rows, long Tokens)>();
        for (int g = 0; g < groups.Count; g++)
        {
            int[] group = groups[g];
            long tokens = groupTokens[g];
            int parts = (int)Math.Min(Math.Min((tokens + target - 1) / target, Math.Max(1, tokens / MinimumTokens)), group.Length);
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
