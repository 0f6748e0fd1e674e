using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Tests.Support;

/// <summary>Numeric comparisons with messages that say where and by how much.</summary>
internal static class Check
{
    /// <summary>|actual − expected| ≤ rtol·|expected| + atol elementwise, shapes equal.</summary>
    internal static void Close(Tensor expected, Tensor actual, string what, float rtol = 1e-4f, float atol = 1e-5f)
    {
        Assert.IsNotNull(actual, $"{what}: no tensor was produced.");
        CollectionAssert.AreEqual(expected.Shape, actual.Shape, $"{what}: shape [{string.Join(",", actual.Shape)}] differs from expected [{string.Join(",", expected.Shape)}].");
        Close(expected.ToArray(), actual.ToArray(), what, rtol, atol);
    }

    internal static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what, float rtol = 1e-4f, float atol = 1e-5f)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: length differs.");
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]) - (rtol * Math.Abs(expected[i]) + atol);
            if (!(err <= worst) || float.IsNaN(actual[i]))
            {
                worst = float.IsNaN(actual[i]) ? double.PositiveInfinity : err;
                worstAt = i;
            }
        }

        if (worstAt >= 0)
        {
            Assert.Fail($"{what}: element {worstAt} is {actual[worstAt]} but expected {expected[worstAt]} (rtol {rtol}, atol {atol}).");
        }
    }
}
