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
    [DataRow(3, false)]
    [DataRow(8, true)]
    [DataRow(19, false)]
    [DataRow(37, true)]
    [DataRow(64, true)]
    public void FusedBackward_GivesTheBitsOfTheSpanOperations(int width, bool accumulateKeys)
    {
        // The reference is the backward as separate span operations per (query, key) pair: d = t·t, 1 − d, ·v, ·g; dq += d;
        // dk += d; dv += t·g, with dv summed per chunk of batches in the kernel's order.
        var random = new Random(width);
        const int batch = 11, queries = 2, keys = 5;
        var shape = new AdditiveScoreKernel.Shape(batch, queries, keys, width);
        Tensor q = Tensor.Randn(random, 1.5f, batch, queries, width), k = Tensor.Randn(random, 1.5f, batch, keys, width), v = Tensor.Randn(random, 1f, width);
        Tensor g = Tensor.Randn(random, 1f, batch, queries, keys), tanh = Tensor.Empty(batch, queries, keys, width);
        AdditiveScoreKernel.Forward(shape, q, k, v, Tensor.Empty(batch, queries, keys), tanh);
        Tensor start = Tensor.Randn(random, 1f, batch, keys, width);
        Tensor dq = Tensor.Empty(q.Dims), dk = accumulateKeys ? start.Clone() : Tensor.Empty(k.Dims);
        float[] dv = new float[width];
        AdditiveScoreKernel.Backward(shape, g, tanh, v, dq, dk, dv, accumulateKeys);

        float[] rq = new float[q.Length], rk = accumulateKeys ? start.ToArray() : new float[k.Length], rv = new float[width], d = new float[width];
        float[] ta = tanh.ToArray(), ga = g.ToArray(), va = v.ToArray();
        int chunks = Math.Min(batch, CpuParallel.Degree * 4);
        var partial = new float[chunks][];
        for (int c = 0; c < chunks; c++)
        {
            partial[c] = new float[width];
            for (int bi = batch * c / chunks; bi < batch * (c + 1) / chunks; bi++)
            {
                for (int li = 0; li < queries; li++)
                {
                    Span<float> dqi = rq.AsSpan((bi * queries + li) * width, width);
                    for (int si = 0; si < keys; si++)
                    {
                        int at = (bi * queries + li) * keys + si;
                        ReadOnlySpan<float> t = ta.AsSpan(at * width, width);
                        System.Numerics.Tensors.TensorPrimitives.Multiply(t, t, d);
                        System.Numerics.Tensors.TensorPrimitives.Subtract(1f, d, d);
                        System.Numerics.Tensors.TensorPrimitives.Multiply(d, va, d);
                        System.Numerics.Tensors.TensorPrimitives.Multiply(d, ga[at], d);
                        System.Numerics.Tensors.TensorPrimitives.Add(dqi, d, dqi);
                        Span<float> dki = rk.AsSpan((bi * keys + si) * width, width);
                        System.Numerics.Tensors.TensorPrimitives.Add(dki, d, dki);
                        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(t, ga[at], partial[c], partial[c]);
                    }
                }
            }

            System.Numerics.Tensors.TensorPrimitives.Add(rv, partial[c], rv);
        }

        CollectionAssert.AreEqual(rq, dq.ToArray(), $"width {width}: dq");
        CollectionAssert.AreEqual(rk, dk.ToArray(), $"width {width}: dk (accumulate {accumulateKeys})");
        CollectionAssert.AreEqual(rv, dv, $"width {width}: dv");
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
