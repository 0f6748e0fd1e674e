using Microsoft.ML.Attention.Tests.Support;
using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.Tests;

/// <summary>Optimizer updates, clipping and schedules against values computed by hand from PyTorch's update rules.</summary>
[TestClass]
public sealed class TrainingComponentTests
{
    [TestMethod]
    public void Sgd_MomentumAndWeightDecay_FollowPyTorchRule()
    {
        Tensor p = Param(1f);
        var sgd = new Sgd([p], learningRate: 0.1f, momentum: 0.9f, weightDecay: 0.5f);
        SetGrad(p, 2f);
        sgd.Step(); // g = 2 + 0.5·1 = 2.5; buf = 2.5; p = 1 − 0.25 = 0.75
        Assert.AreEqual(0.75f, p.Item(), 1e-6f);
        SetGrad(p, 2f);
        sgd.Step(); // g = 2 + 0.375 = 2.375; buf = 0.9·2.5 + 2.375 = 4.625; p = 0.75 − 0.4625
        Assert.AreEqual(0.2875f, p.Item(), 1e-6f);
    }

    [TestMethod]
    public void Sgd_Nesterov_FollowsPyTorchRule()
    {
        Tensor p = Param(1f);
        var sgd = new Sgd([p], learningRate: 0.1f, momentum: 0.5f, nesterov: true);
        SetGrad(p, 1f);
        sgd.Step(); // buf = 1; g = 1 + 0.5·1 = 1.5; p = 0.85
        Assert.AreEqual(0.85f, p.Item(), 1e-6f);
        SetGrad(p, 1f);
        sgd.Step(); // buf = 0.5 + 1 = 1.5; g = 1 + 0.75 = 1.75; p = 0.675
        Assert.AreEqual(0.675f, p.Item(), 1e-6f);
    }

    [TestMethod]
    public void Adam_AndAdamW_FirstTwoSteps()
    {
        Tensor p = Param(1f), q = Param(1f);
        var adam = new Adam([p], learningRate: 0.1f, weightDecay: 0.1f);
        var adamw = new AdamW([q], learningRate: 0.1f, weightDecay: 0.1f);
        SetGrad(p, 0.5f);
        SetGrad(q, 0.5f);
        adam.Step();
        adamw.Step();
        // Adam step 1: the bias-corrected m/√v is sign(g) → p = 1 − 0.1 (up to eps).
        Assert.AreEqual(0.9f, p.Item(), 1e-5f);
        // AdamW: p·(1 − 0.1·0.1) then the same step: 0.99 − 0.1.
        Assert.AreEqual(0.89f, q.Item(), 1e-5f);
        SetGrad(p, -1f);
        adam.Step();
        double g1 = 0.5 + 0.1 * 1, g2 = -1 + 0.1 * 0.9;
        double m = 0.9 * (0.1 * g1) + 0.1 * g2, v = 0.999 * (0.001 * g1 * g1) + 0.001 * g2 * g2;
        double expected = 0.9 - 0.1 * (m / (1 - 0.81)) / (Math.Sqrt(v / (1 - 0.999 * 0.999)) + 1e-8);
        Assert.AreEqual(expected, p.Item(), 1e-5);
    }

    [TestMethod]
    public void AdamW_ThreeSteps_MatchPyTorch()
    {
        // Changing gradients over three steps: the decoupled decay must stay out of the moments, which the first step
        // alone cannot show (there m/√v is the gradient's sign whatever is added to it).
        var f = Fixture.Load("adamw_steps");
        Tensor w = f["input.w"].Clone();
        w.RequiresGrad = true;
        var adamw = new AdamW([w], learningRate: 0.1f, weightDecay: 0.1f);
        for (int step = 0; step < 3; step++)
        {
            w.Grad = f[$"input.grad{step}"].Clone();
            adamw.Step();
            Check.Close(f[$"output.w{step}"], w, $"AdamW after step {step + 1}", rtol: 1e-5f, atol: 1e-6f);
        }
    }

    [TestMethod]
    public void EarlyStopping_KeepsTheBestWeights_CountsPatience_AndStopsOnDivergence()
    {
        var layer = new Microsoft.ML.Attention.Nn.Linear(2, 2, random: new Random(1));
        var stopping = new EarlyStopping(layer, patience: 2);
        Assert.IsTrue(stopping.Report(1.0));
        float[] best = layer.Weight.ToArray();
        layer.Weight.AsSpan().Fill(9f);
        Assert.IsFalse(stopping.Report(1.5));
        Assert.IsFalse(stopping.ShouldStop);
        Assert.IsFalse(stopping.Report(1.0), "equal is no improvement");
        Assert.IsTrue(stopping.ShouldStop);
        stopping.RestoreBest();
        CollectionAssert.AreEqual(best, layer.Weight.ToArray());
        StringAssert.Contains(Assert.ThrowsExactly<ArithmeticException>(() => stopping.Report(double.NaN)).Message, "diverged");
    }

    [TestMethod]
    public void ClipGradNorm_ScalesToMaxNorm_AndStopsOnNaN()
    {
        Tensor a = Param(0f), b = Param(0f);
        SetGrad(a, 3f);
        SetGrad(b, 4f);
        float norm = GradientClipping.ClipGradNorm([a, b], 1f);
        Assert.AreEqual(5f, norm, 1e-6f);
        Assert.AreEqual(0.6f, a.Grad!.Item(), 1e-5f);
        Assert.AreEqual(0.8f, b.Grad!.Item(), 1e-5f);
        SetGrad(a, float.NaN);
        var e = Assert.ThrowsExactly<ArithmeticException>(() => GradientClipping.ClipGradNorm([a, b], 1f));
        StringAssert.Contains(e.Message, "diverged");
    }

    [TestMethod]
    public void Schedule_WarmupThenCosineAndLinear()
    {
        var cos = new LearningRateSchedule(1f, warmupSteps: 4, totalSteps: 14, LearningRateDecay.Cosine, minimumRate: 0.1f);
        Assert.AreEqual(0.25f, cos.RateAt(0), 1e-6f);
        Assert.AreEqual(1f, cos.RateAt(3), 1e-6f);
        Assert.AreEqual(1f, cos.RateAt(4), 1e-6f);
        Assert.AreEqual(0.55f, cos.RateAt(9), 1e-6f);
        Assert.AreEqual(0.1f, cos.RateAt(14), 1e-6f);
        Assert.AreEqual(0.1f, cos.RateAt(100), 1e-6f);
        var lin = new LearningRateSchedule(2f, warmupSteps: 0, totalSteps: 10, LearningRateDecay.Linear);
        Assert.AreEqual(1f, lin.RateAt(5), 1e-6f);
    }

    private static Tensor Param(float v)
    {
        Tensor t = Tensor.FromArray([v], 1);
        t.RequiresGrad = true;
        return t;
    }

    private static void SetGrad(Tensor p, float g)
    {
        p.Grad = Tensor.FromArray([g], 1);
    }
}
