using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Support;

namespace Microsoft.ML.Attention.Tests.Vision;

/// <summary>
/// The vision attention blocks against PyTorch 1.13 fixtures (Fixtures/generate_vision_fixtures.py, which restates
/// timm's SEModule, EcaModule and CbamModule with their parameter names): every output, the input gradient and every
/// parameter gradient, under loss = Σ output·R.
/// </summary>
[TestClass]
public sealed class VisionParityTests
{
    [TestMethod]
    public void Conv1d_Padding_MatchesPyTorch() =>
        Run("conv1d", new Conv1d(3, 4, 5, padding: 2, random: new Random(1)), (m, x) => [("y", m.Forward(x))]);

    [TestMethod]
    public void SqueezeExcite_TimmDefaults_MatchPyTorch()
    {
        var se = new SqueezeExcite(32, new Random(1));
        Assert.AreEqual(8, se.ReducedChannels, "timm rounds 32/16 = 2 up to its divisor 8.");
        Run("se_default", se, (m, x) => Outputs(m.Attend(x)));
    }

    [TestMethod]
    public void SqueezeExcite_SiluHardSigmoidMaxPool_MatchPyTorch()
    {
        var se = new SqueezeExcite(12, new Random(1), reductionRatio: 0.25f, divisor: 1, ActivationKind.Silu, ActivationKind.HardSigmoid, addMaxPool: true);
        Assert.AreEqual(3, se.ReducedChannels);
        Run("se_silu_hardsigmoid_maxpool", se, (m, x) => Outputs(m.Attend(x)));
    }

    [TestMethod]
    public void EfficientChannelAttention_KernelFromChannels_MatchesPyTorch()
    {
        var eca = new EfficientChannelAttention(128, new Random(1));
        Assert.AreEqual(5, eca.KernelSize, "ECA: t = ⌊(log₂128 + 1) / 2⌋ = 4, made odd: 5.");
        Assert.AreEqual(3, EfficientChannelAttention.KernelSizeFor(32));
        Run("eca", eca, (m, x) => Outputs(m.Attend(x)));
    }

    [TestMethod]
    public void Cbam_TrainingMode_OutputsAndBothMaps_MatchPyTorch()
    {
        var cbam = new Cbam(32, new Random(1));
        Assert.AreEqual(2, cbam.Channel.ReducedChannels);
        Run("cbam", cbam, (m, x) =>
        {
            CbamOutput o = m.Attend(x);
            return [("y", o.Output), ("channel_gate", o.ChannelGate), ("spatial_gate", o.SpatialGate)];
        });
    }

    [TestMethod]
    [DataRow("zeros", false)]
    [DataRow("zeros", true)]
    [DataRow("border", false)]
    [DataRow("border", true)]
    public void AffineGridAndGridSample_MatchPyTorch(string padding, bool alignCorners)
    {
        var f = Fixture.Load($"grid_sample_{padding}_{(alignCorners ? "aligned" : "unaligned")}");
        GridPaddingMode mode = padding == "zeros" ? GridPaddingMode.Zeros : GridPaddingMode.Border;
        Tensor x = f.Input("x"), grid = f.Input("grid"), theta = f.Input("theta");
        Tensor y = x.GridSample(grid, mode, alignCorners);
        Tensor affine = theta.AffineGrid(4, 7, alignCorners);
        Tensor z = x.GridSample(affine, mode, alignCorners);
        Check.Close(f["output.y"], y, $"{f.Name} grid_sample");
        Check.Close(f["output.affine_grid"], affine, $"{f.Name} affine_grid");
        Check.Close(f["output.z"], z, $"{f.Name} grid_sample of the affine grid");
        y.Mul(f["grad_output.y"]).Sum().Add(affine.Mul(f["grad_output.affine_grid"]).Sum()).Add(z.Mul(f["grad_output.z"]).Sum()).Backward();
        Check.Close(f["grad.input.x"], x.Grad!, $"{f.Name} input gradient");
        Check.Close(f["grad.input.grid"], grid.Grad!, $"{f.Name} grid gradient", atol: 1e-4f);
        Check.Close(f["grad.input.theta"], theta.Grad!, $"{f.Name} theta gradient", atol: 1e-4f);
    }

    [TestMethod]
    public void GlimpseSensor_ThreeScales_MatchesTheReferenceRetina()
    {
        var f = Fixture.Load("glimpse_sensor");
        var sensor = new GlimpseSensor(patchSize: 4, scales: 3, scaleFactor: 2);
        Tensor glimpse = sensor.Extract(f["input.x"], f["input.l"]);
        Check.Close(f["output.glimpse"], glimpse, "glimpse sensor");
        Assert.AreEqual(3 * 2 * 16, sensor.GlimpseSize(2));
    }

    private static (string, Tensor)[] Outputs(GatedOutput o) => [("y", o.Output), ("gate", o.Gate)];

    private static void Run<TModule>(string name, TModule module, Func<TModule, Tensor, (string Name, Tensor Output)[]> forward)
        where TModule : Module
    {
        var f = Fixture.Load(name);
        module.LoadStateDict(f.Parameters());
        Tensor x = f.Input("x");
        (string Name, Tensor Output)[] outputs = forward(module, x);
        Tensor loss = Tensor.Scalar(0f);
        foreach ((string outName, Tensor y) in outputs)
        {
            Check.Close(f["output." + outName], y, $"{name} output {outName}");
            loss = loss.Add(y.Mul(f["grad_output." + outName]).Sum());
        }

        loss.Backward();
        Check.Close(f["grad.input.x"], x.Grad!, $"{name} input gradient");
        foreach (KeyValuePair<string, Tensor> p in module.NamedParameters())
        {
            Check.Close(f["grad.param." + p.Key], p.Value.Grad!, $"{name} gradient of {p.Key}", atol: 1e-4f);
        }
    }
}
