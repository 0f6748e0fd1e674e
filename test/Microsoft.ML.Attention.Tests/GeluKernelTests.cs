using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Tests;

/// <summary>The vectorized GELU (exact erf form) against a double-precision reference, forward and derivative, tails included.</summary>
[TestClass]
public sealed class GeluKernelTests
{
    [TestMethod]
    public void GeluForwardAndBackward_MatchDoublePrecision_OverTheRange()
    {
        var values = new List<float> { 0f, -0f, 1e-30f, -1e-30f, 0.5f, -0.5f, 3f, -3f, 5.9f, -5.9f, 10f, -10f, 40f, -40f, 1e6f, -1e6f };
        var random = new Random(3);
        for (int i = 0; i < 20_001; i++)
        {
            values.Add((float)(random.NextDouble() * 24 - 12));
        }

        float[] x = [.. values];
        float[] g = x.Select((_, i) => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var y = new float[x.Length];
        var dx = new float[x.Length];
        GeluKernel.Forward(x, y);
        GeluKernel.Backward(g, x, dx);
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            double cdf = 0.5 * (1 + Erf(v / Math.Sqrt(2)));
            double expected = v * cdf;
            double slope = cdf + v * Math.Exp(-0.5 * v * v) / Math.Sqrt(2 * Math.PI);
            Assert.AreEqual(expected, y[i], 1e-6 * Math.Max(1, Math.Abs(expected)), $"GELU({v})");
            Assert.AreEqual(g[i] * slope, dx[i], 2e-6, $"GELU'({v})");
        }
    }

    [TestMethod]
    public void Gelu_KeepsNaN_AndSaturatesPastTheFit()
    {
        float[] x = [float.NaN, 4.5f, -4.5f, 1e30f, 2f, float.NaN, 0f, 1f, 9f, -9f, 3f, -3f, 0.25f, -0.25f, 6f, float.NaN];
        var y = new float[x.Length];
        var dx = new float[x.Length];
        GeluKernel.Forward(x, y);
        GeluKernel.Backward([.. Enumerable.Repeat(1f, x.Length)], x, dx);
        foreach (int i in new[] { 0, 5, 15 })
        {
            Assert.IsTrue(float.IsNaN(y[i]) && float.IsNaN(dx[i]), $"NaN at {i} kept: {y[i]}, {dx[i]}");
        }

        Assert.AreEqual(9f, y[8], "GELU(9) = 9 in single precision");
        Assert.AreEqual(0f, y[9], 1e-15f, "GELU(-9) = 0 to single precision");
        Assert.AreEqual(1e30f, y[3], "large inputs pass through");
    }

    [TestMethod]
    public void Gelu_GivesEachElementTheSameValue_WhereverItSits()
    {
        // The tail of a length that is not a multiple of 16 runs through the same lanes as the body.
        var random = new Random(4);
        float[] x = Enumerable.Range(0, 37).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray();
        var whole = new float[x.Length];
        GeluKernel.Forward(x, whole);
        for (int i = 0; i < x.Length; i++)
        {
            var one = new float[1];
            GeluKernel.Forward(x.AsSpan(i, 1), one);
            Assert.AreEqual(whole[i], one[0], $"element {i}");
        }
    }

    /// <summary>erf by its Taylor series for |z| &lt; 3 and Laplace's continued fraction for erfc beyond, in double.</summary>
    private static double Erf(double z)
    {
        double a = Math.Abs(z);
        double result;
        if (a < 3)
        {
            double term = a, sum = a;
            for (int n = 1; n < 200 && Math.Abs(term) > 1e-18; n++)
            {
                term *= -a * a / n;
                sum += term / (2 * n + 1);
            }

            result = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            double fraction = a;
            for (int n = 80; n >= 1; n--)
            {
                fraction = a + n / 2.0 / fraction;
            }

            result = 1 - Math.Exp(-a * a) / Math.Sqrt(Math.PI) / fraction;
        }

        return z < 0 ? -result : result;
    }
}
