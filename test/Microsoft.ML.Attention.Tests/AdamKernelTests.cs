using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.Tests;

/// <summary>Adam's SIMD, core-spread update equals its scalar loop bit for bit, and the optimizer's steps equal the loop's.</summary>
[TestClass]
public sealed class AdamKernelTests
{
    private static float[] Values(Random random, int n, float scale) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale)];

    [TestMethod]
    [DataRow(1)]
    [DataRow(15)]
    [DataRow(16)]
    [DataRow(37)]
    [DataRow(300)]
    [DataRow(70_001)] // above the size whose ranges are spread over the cores
    public void Update_EqualsTheScalarLoop_BitForBit(int n)
    {
        foreach (bool decoupled in new[] { true, false })
        {
            var random = new Random(n);
            float[] p = Values(random, n, 1f), g = Values(random, n, 0.1f), m = Values(random, n, 0.01f);
            float[] v = [.. Values(random, n, 1e-3f).Select(MathF.Abs)];
            var step = new AdamKernel.Step(Decay: decoupled ? 1f - 0.01f * 0.1f : 1f, L2: decoupled ? 0f : 0.1f, 0.9f, 0.999f, StepSize: 0.01f / 0.19f, InverseSqrtBias2: 1f / MathF.Sqrt(0.001999f), 1e-8f);
            float[] pe = [.. p], me = [.. m], ve = [.. v];
            AdamKernel.Scalar(pe, g, me, ve, step);
            AdamKernel.Update(p, g, m, v, step);
            CollectionAssert.AreEqual(pe, p, $"n = {n}, decoupled = {decoupled}: parameters");
            CollectionAssert.AreEqual(me, m, $"n = {n}, decoupled = {decoupled}: first moments");
            CollectionAssert.AreEqual(ve, v, $"n = {n}, decoupled = {decoupled}: second moments");
        }
    }

    [TestMethod]
    public void AdamWSteps_EqualTheScalarLoop_WithTheBiasCorrectionOfEachStep()
    {
        var random = new Random(3);
        const int n = 1000;
        float[] start = Values(random, n, 1f);
        var w = Tensor.FromArray([.. start], n);
        w.RequiresGrad = true;
        var adamw = new AdamW([w], learningRate: 0.05f, weightDecay: 0.1f);
        float[] p = [.. start], m = new float[n], v = new float[n];
        for (int t = 1; t <= 3; t++)
        {
            float[] g = Values(random, n, 0.5f);
            w.Grad = Tensor.FromArray([.. g], n);
            adamw.Step();
            double bc1 = 1 - Math.Pow(0.9f, t), bc2 = 1 - Math.Pow(0.999f, t); // the optimizer's float settings, widened
            AdamKernel.Scalar(p, g, m, v, new AdamKernel.Step(1f - 0.05f * 0.1f, 0f, 0.9f, 0.999f, (float)(0.05f / bc1), (float)(1 / Math.Sqrt(bc2)), 1e-8f));
            CollectionAssert.AreEqual(p, w.ToArray(), $"after step {t}");
        }
    }

    [TestMethod]
    public void Update_RefusesMomentsOfAnotherSize()
    {
        var step = new AdamKernel.Step(1f, 0f, 0.9f, 0.999f, 1e-3f, 1f, 1e-8f);
        var error = Assert.ThrowsExactly<ArgumentException>(() => AdamKernel.Update(new float[4], new float[4], new float[3], new float[4], step));
        StringAssert.Contains(error.Message, "moments of 3 and 4");
    }
}
