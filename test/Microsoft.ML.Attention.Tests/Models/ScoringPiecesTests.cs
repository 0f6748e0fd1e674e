using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Tests.Models;

/// <summary>
/// How a block's length groups are cut into pieces for the cores: every row in exactly one piece, rows of one piece
/// from one group, the costliest piece first, groups left whole for one thread, no piece thinner than the minimum
/// unless its group is, and none as thick as twice the minimum unless it is one row.
/// </summary>
[TestClass]
public sealed class ScoringPiecesTests
{
    [TestMethod]
    public void Cut_CoversEveryRowOnce_WithinItsGroup_CostliestFirst()
    {
        // A block of 64 rows of 32 tokens (one group), and a mixed block: 40 rows of 200 tokens, 20 of 10, 4 of 3.
        int[] even = [.. Enumerable.Repeat(32, 64)];
        List<int[]> evenPieces = ScoringPieces.Cut([[.. Enumerable.Range(0, 64)]], even, threads: 2);
        Assert.AreEqual(4, evenPieces.Count, "2048 tokens: 4 pieces of 512 tokens");
        Assert.IsTrue(evenPieces.All(p => p.Length == 16), "equal parts of the one group");

        int[] lengths = [.. Enumerable.Repeat(200, 40), .. Enumerable.Repeat(10, 20), .. Enumerable.Repeat(3, 4)];
        int[][] groups = [[.. Enumerable.Range(0, 40)], [.. Enumerable.Range(40, 20)], [.. Enumerable.Range(60, 4)]];
        List<int[]> pieces = ScoringPieces.Cut(groups, lengths, threads: 2);
        CollectionAssert.AreEqual(Enumerable.Range(0, 64).ToArray(), pieces.SelectMany(p => p).Order().ToArray(), "every row exactly once");
        foreach (int[] piece in pieces)
        {
            Assert.AreEqual(1, groups.Count(g => piece.All(g.Contains)), $"piece [{string.Join(',', piece)}] lies within one group");
        }

        long[] tokens = [.. pieces.Select(p => (long)p.Length * p.Max(i => lengths[i]))];
        CollectionAssert.AreEqual(tokens.OrderDescending().ToArray(), tokens, "costliest first");
        Assert.AreEqual(15, pieces.Count(p => lengths[p[0]] == 200), "8,000 tokens of the long group: 15 pieces of at least 512 tokens");
        Assert.IsTrue(pieces.All(p => p.Length == 1 || (long)p.Length * p.Max(i => lengths[i]) < 2 * ScoringPieces.MinimumTokens), "no piece of several rows as thick as twice the minimum");
        List<int[]> wide = ScoringPieces.Cut([[0, 1]], [3_000, 3_000], threads: 2);
        Assert.AreEqual(2, wide.Count, "rows thicker than the minimum: one piece each");
        Assert.AreEqual(1, pieces.Count(p => lengths[p[0]] == 10), "a group under the minimum tokens stays whole");

        // 700 tokens: over the minimum, but two pieces would be thinner than it.
        List<int[]> thin = ScoringPieces.Cut([[.. Enumerable.Range(0, 70)]], [.. Enumerable.Repeat(10, 70)], threads: 2);
        Assert.AreEqual(1, thin.Count, "no piece under the minimum tokens");

        List<int[]> one = ScoringPieces.Cut(groups, lengths, threads: 1);
        Assert.AreEqual(3, one.Count, "one thread: the groups as they are");
        CollectionAssert.AreEqual(groups[0], one[0]);
    }
}
