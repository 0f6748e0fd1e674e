using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Tests;

/// <summary>The counter-based dropout hash: the vectorized rows decide exactly as the per-element rule, at the keep rate asked.</summary>
[TestClass]
public sealed class DropoutMaskTests
{
    [TestMethod]
    [DataRow(0ul)]
    [DataRow(4_294_967_280ul)]
    [DataRow(123_456_789_012ul)]
    public void Apply_MatchesKeep_ElementByElement_AcrossThe32BitBoundary(ulong start)
    {
        var mask = new DropoutMask(0.3f, 0xDEADBEEF12345678ul);
        float[] values = [.. Enumerable.Range(0, 1001).Select(i => 1f + i)];
        var dropped = new float[values.Length];
        mask.Apply(start, values, dropped);
        int kept = 0;
        for (int c = 0; c < values.Length; c++)
        {
            float expected = mask.Keep(start + (ulong)c) ? values[c] * mask.KeepScale : 0f;
            Assert.AreEqual(expected, dropped[c], $"element {start + (ulong)c}");
            kept += dropped[c] != 0f ? 1 : 0;
        }

        Assert.AreEqual(0.7, kept / (double)values.Length, 0.05, "keep rate");
    }
}
