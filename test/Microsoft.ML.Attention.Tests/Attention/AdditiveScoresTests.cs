using System.Runtime.Intrinsics;
using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Support;

namespace Microsoft.ML.Attention.Tests.Attention;

/// <summary>The fused additive score equals the composed ops, forward and backward, at widths that use each SIMD path and a tail; and its tanh is accurate.</summary>
[TestClass]
public sealed class AdditiveScoresTests
{
    [TestMethod]
    [DataRow(3)]
    [DataRow(8)]
    [DataRow(19)]
    [DataRow(37)]
    public void FusedScores_EqualTheComposedOps_ForwardAndGradients(int width)
    {
        var random = new Random(width);
        Tensor q = Tensor.Randn(random, 1.5f, 3, 2, width), k = Tensor.Randn(random, 1.5f, 3, 5, width), v = Tensor.Randn(random, 1f, 1, width);
        Tensor g = Tensor.Randn(random, 1f, 3, 2, 5);
        (float[] y, float[][] grads) Run(Func<Tensor, Tensor, Tensor, Tensor> f)
        {
            foreach (Tensor t in new[] { q, k, v })
            {
                t.RequiresGrad = true;
                t.Grad = null;
            }

            Tensor y = f(q, k, v);
            y.Mul(g).Sum().Backward();
            return (y.ToArray(), [q.Grad!.ToArray(), k.Grad!.ToArray(), v.Grad!.ToArray()]);
        }

        (float[] fused, float[][] fusedGrads) = Run((a, b, c) => a.AdditiveScores(b, c));
        (float[] composed, float[][] composedGrads) = Run((a, b, c) => a.Unsqueeze(2).Add(b.Unsqueeze(1)).Tanh().Linear(c).Reshape(3, 2, 5));
        Check.Close(composed, fused, $"width {width}: scores", rtol: 1e-5f, atol: 1e-5f);
        string[] names = ["query", "keys", "v"];
        for (int i = 0; i < 3; i++)
        {
            Check.Close(composedGrads[i], fusedGrads[i], $"width {width}: gradient of {names[i]}", rtol: 1e-4f, atol: 1e-5f);
        }

        GradCheck.Verify(x => x[0].AdditiveScores(x[1], x[2]), [Tensor.Randn(random, 1f, 2, 2, width), Tensor.Randn(random, 1f, 2, 3, width), Tensor.Randn(random, 1f, width)], $"width {width}: finite differences");
    }

    [TestMethod]
    public void VectorTanh_IsWithin4e7OfMathTanh_AndEveryPathGivesTheSameBits()
    {
        float[] xs = [.. Enumerable.Range(-40000, 80001).Select(i => i * 2.5e-4f), .. Enumerable.Range(-80, 81).Select(i => MathF.Pow(10f, i / 10f)),
            1e-7f, -1e-30f, 0f, -0f, 7.9f, 7.91f, 30f, -88f, 1000f, float.MaxValue, float.PositiveInfinity, float.NegativeInfinity];
        foreach (float x in xs)
        {
            double expected = Math.Tanh(x);
            float scalar = VectorTanh.Tanh(x);
            Assert.IsLessThanOrEqualTo(4e-7 * Math.Max(1e-30, Math.Abs(expected)), Math.Abs(scalar - expected), $"scalar tanh({x}) = {scalar}, expected {expected}");
            double sigmoid = 1 / (1 + Math.Exp(-(double)x));
            Assert.IsLessThanOrEqualTo(2e-7, Math.Abs(VectorTanh.Sigmoid(x) - sigmoid), $"scalar sigmoid({x})");
            if (Vector256.IsHardwareAccelerated)
            {
                Assert.AreEqual(scalar, VectorTanh.Tanh(Vector256.Create(x)).GetElement(3), $"256-bit tanh({x})");
                Assert.AreEqual(VectorTanh.Sigmoid(x), VectorTanh.Sigmoid(Vector256.Create(x)).GetElement(5), $"256-bit sigmoid({x})");
            }

            if (Vector512.IsHardwareAccelerated)
            {
                Assert.AreEqual(scalar, VectorTanh.Tanh(Vector512.Create(x)).GetElement(9), $"512-bit tanh({x})");
                Assert.AreEqual(VectorTanh.Sigmoid(x), VectorTanh.Sigmoid(Vector512.Create(x)).GetElement(11), $"512-bit sigmoid({x})");
            }
        }

        // The span form: vectors over the body, the scalar form over the tail; 7 elements past a multiple of 16 reach every width.
        float[] spanOut = new float[xs.Length - 9];
        VectorTanh.Tanh(xs.AsSpan(0, spanOut.Length), spanOut);
        for (int i = 0; i < spanOut.Length; i++)
        {
            Assert.AreEqual(VectorTanh.Tanh(xs[i]), spanOut[i], $"span tanh({xs[i]}) at {i}");
            if (Vector128.IsHardwareAccelerated && i % 97 == 0)
            {
                Assert.AreEqual(VectorTanh.Tanh(xs[i]), VectorTanh.Tanh(Vector128.Create(xs[i])).GetElement(1), $"128-bit tanh({xs[i]})");
            }
        }

        Assert.IsTrue(float.IsNegative(VectorTanh.Tanh(-0f)), "tanh(−0) = −0");
        Assert.IsTrue(float.IsNaN(VectorTanh.Tanh(float.NaN)), "tanh(NaN) = NaN (a diverging run must stay visible)");
        Assert.IsTrue(float.IsNaN(VectorTanh.Tanh(Vector256.Create(float.NaN)).GetElement(0)), "256-bit tanh(NaN) = NaN");
        Assert.IsTrue(!Vector512.IsHardwareAccelerated || float.IsNaN(VectorTanh.Tanh(Vector512.Create(float.NaN)).GetElement(0)), "512-bit tanh(NaN) = NaN");
        Assert.IsTrue(float.IsNaN(VectorTanh.Sigmoid(float.NaN)), "sigmoid(NaN) = NaN");
    }
}
