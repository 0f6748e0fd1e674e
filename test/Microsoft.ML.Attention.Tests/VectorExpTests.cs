using System.Runtime.Intrinsics;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Tests;

/// <summary>The softmax kernels' exp against double-precision exp, and its edges (masked −∞ gives exactly 0).</summary>
[TestClass]
public sealed class VectorExpTests
{
    [TestMethod]
    public void Exp_IsWithin2e7Relative_OverTheRange_AndExactAtTheEdges()
    {
        var values = new List<float> { 0f, -0f, 1f, -1f, 1e-30f, -1e-30f, 88.7f, -87.3f, -87.4f, -100f, -1e30f, float.NegativeInfinity, 89f, float.PositiveInfinity };
        var random = new Random(1);
        for (int i = 0; i < 20_000; i++)
        {
            values.Add((float)(random.NextDouble() * 176 - 88));
        }

        while (values.Count % 16 != 0)
        {
            values.Add(0f);
        }

        float[] x = [.. values];
        var wide = new float[x.Length];
        var narrow = new float[x.Length];
        for (int i = 0; i < x.Length; i += 16)
        {
            VectorExp.Exp(Vector512.Create(x.AsSpan(i, 16))).CopyTo(wide.AsSpan(i, 16));
            VectorExp.Exp(Vector256.Create(x.AsSpan(i, 8))).CopyTo(narrow.AsSpan(i, 8));
            VectorExp.Exp(Vector256.Create(x.AsSpan(i + 8, 8))).CopyTo(narrow.AsSpan(i + 8, 8));
        }

        for (int i = 0; i < x.Length; i++)
        {
            double expected = Math.Exp(x[i]);
            foreach ((string name, float got) in new[] { ("Vector512", wide[i]), ("Vector256", narrow[i]) })
            {
                if (x[i] < -87.33654f)
                {
                    Assert.AreEqual(0f, got, $"{name} exp({x[i]}) underflows to exactly 0");
                }
                else if (x[i] > 88.72283f)
                {
                    Assert.AreEqual(float.PositiveInfinity, got, $"{name} exp({x[i]})");
                }
                else
                {
                    Assert.IsLessThan(2e-7, Math.Abs(got - expected) / expected, $"{name} exp({x[i]}) = {got}, expected {expected}");
                }
            }
        }
    }
}
