using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Tests;

/// <summary>
/// The fused inference layer norm: both vector widths against a double-precision reference for widths around the
/// vector sizes, with and without weight and bias, and <c>Ops.LayerNorm</c> without a tape against its taped form.
/// </summary>
[TestClass]
public sealed class LayerNormKernelTests
{
    [TestMethod]
    public void BothWidths_MatchDoublePrecision_ForWidthsAroundTheVectorSizes()
    {
        var random = new Random(5);
        foreach (int n in new[] { 1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100 })
        {
            // An offset far from zero, where one-pass variance would lose digits.
            float[] x = [.. Enumerable.Range(0, n).Select(_ => (float)(100 + random.NextDouble() * 4 - 2))];
            float[] w = [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1))];
            float[] b = [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1))];
            foreach ((float[] weight, float[] bias) in new[] { (w, b), ([], []), (w, []), ([], b) })
            {
                double[] expected = Reference(x, weight, bias, 1e-5);
                var y512 = new float[n];
                var y256 = new float[n];
                if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
                {
                    LayerNormKernel.Row512(x, weight, bias, 1e-5f, y512);
                }
                else
                {
                    LayerNormKernel.Row256(x, weight, bias, 1e-5f, y512);
                }

                LayerNormKernel.Row256(x, weight, bias, 1e-5f, y256);
                for (int j = 0; j < n; j++)
                {
                    string at = $"n {n}, weight {weight.Length > 0}, bias {bias.Length > 0}, element {j}";
                    Assert.AreEqual(expected[j], y512[j], 2e-5, $"512-bit: {at}");
                    Assert.AreEqual(expected[j], y256[j], 2e-5, $"256-bit: {at}");
                }
            }
        }
    }

    [TestMethod]
    public void LayerNorm_WithoutATape_MatchesTheTapedForward_RowByRow()
    {
        var random = new Random(6);
        Tensor x = Tensor.Randn(random, 3f, 37, 5, 24);
        Tensor weight = Tensor.Randn(random, 1f, 24);
        Tensor bias = Tensor.Randn(random, 1f, 24);
        Tensor leaf = Tensor.FromArray(x.ToArray(), x.Dims);
        leaf.RequiresGrad = true;
        Tensor taped = leaf.LayerNorm(weight, bias);
        Assert.IsTrue(taped.RequiresGrad, "the taped path records");
        Tensor plain;
        using (GradMode.NoGrad())
        {
            plain = x.LayerNorm(weight, bias);
        }

        float[] t = taped.ToArray(), p = plain.ToArray();
        for (int i = 0; i < t.Length; i++)
        {
            Assert.AreEqual(t[i], p[i], 1e-5f, $"element {i} (row {i / 24})");
        }
    }

    private static double[] Reference(float[] x, float[] weight, float[] bias, double eps)
    {
        double mean = x.Average(v => (double)v);
        double var = x.Average(v => (v - mean) * (v - mean));
        return [.. x.Select((v, j) => (v - mean) / Math.Sqrt(var + eps) * (weight.Length > 0 ? weight[j] : 1) + (bias.Length > 0 ? bias[j] : 0))];
    }
}
