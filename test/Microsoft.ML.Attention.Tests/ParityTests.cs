using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Support;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.Tests;

/// <summary>
/// Forward outputs and gradients against PyTorch 1.13 fixtures (Fixtures/generate_fixtures.py), within 1e-4 relative.
/// The backward seed is loss = Σ output·R with the fixture's R, so every output element's gradient path is checked.
/// </summary>
[TestClass]
public sealed class ParityTests
{
    [TestMethod]
    public void Linear_MatchesPyTorch() => RunModule("linear", new Linear(7, 5), (m, x) => ("y", m.Forward(x)));

    [TestMethod]
    public void Conv2d_StridePadding_MatchesPyTorch() =>
        RunModule("conv2d", new Conv2d(4, 6, 3, stride: 2, padding: 1), (m, x) => ("y", m.Forward(x)));

    [TestMethod]
    public void Conv2d_Groups_MatchesPyTorch() =>
        RunModule("conv2d_groups", new Conv2d(4, 6, 3, stride: 1, padding: 1, groups: 2), (m, x) => ("y", m.Forward(x)));

    [TestMethod]
    public void LayerNorm_MatchesPyTorch() => RunModule("layernorm", new LayerNorm(6), (m, x) => ("y", m.Forward(x)));

    [TestMethod]
    public void BatchNorm2d_TrainingStepAndEval_MatchPyTorch()
    {
        var fixture = Fixture.Load("batchnorm2d");
        var bn = new BatchNorm(3);
        RunModule(fixture, bn, (m, x) => ("y", m.Forward(x)));
        Check.Close(fixture["after.running_mean"], bn.RunningMean, "running_mean after the step");
        Check.Close(fixture["after.running_var"], bn.RunningVar, "running_var after the step");
        bn.Eval();
        using (GradMode.NoGrad())
        {
            Check.Close(fixture["after.output_eval"], bn.Forward(fixture["after.input_eval"]), "eval-mode output");
        }
    }

    [TestMethod]
    public void Lstm_BidirectionalTwoLayersPadded_MatchesPyTorch() =>
        RunRecurrent("lstm", new Lstm(5, 4, numLayers: 2, bidirectional: true, batchFirst: true));

    [TestMethod]
    public void Gru_BidirectionalTwoLayersPadded_MatchesPyTorch() =>
        RunRecurrent("gru", new Gru(5, 4, numLayers: 2, bidirectional: true, batchFirst: true));

    [TestMethod]
    public void CrossEntropy_MatchesPyTorch() =>
        RunCrossEntropy("cross_entropy", f => new CrossEntropyLoss());

    [TestMethod]
    public void CrossEntropy_WeightsIgnoreIndexLabelSmoothing_MatchPyTorch() =>
        RunCrossEntropy("cross_entropy_options", f => new CrossEntropyLoss(f["input.weight"], ignoreIndex: -100, labelSmoothing: 0.1f));

    [TestMethod]
    public void BceWithLogits_PositiveWeight_MatchesPyTorch()
    {
        var f = Fixture.Load("bce_with_logits");
        Tensor x = f.Input("x");
        Tensor loss = new BceWithLogitsLoss(positiveWeight: 2f).Forward(x, f["input.t"]);
        Check.Close(f["output.loss"].ToArray(), [loss.Item()], "BCE loss");
        loss.Backward();
        Check.Close(f["grad.input.x"], x.Grad!, "BCE gradient");
    }

    private static void RunCrossEntropy(string name, Func<Fixture, CrossEntropyLoss> make)
    {
        var f = Fixture.Load(name);
        Tensor logits = f.Input("logits");
        Tensor loss = make(f).Forward(logits, f.IntInput("targets"));
        Check.Close(f["output.loss"].ToArray(), [loss.Item()], $"{name} loss");
        loss.Backward();
        Check.Close(f["grad.input.logits"], logits.Grad!, $"{name} gradient");
    }

    private static void RunModule<TModule>(string name, TModule module, Func<TModule, Tensor, (string Name, Tensor Output)> forward)
        where TModule : Module => RunModule(Fixture.Load(name), module, forward);

    private static void RunModule<TModule>(Fixture f, TModule module, Func<TModule, Tensor, (string Name, Tensor Output)> forward)
        where TModule : Module
    {
        module.LoadStateDict(f.Parameters());
        Tensor x = f.Input("x");
        (string outName, Tensor y) = forward(module, x);
        Check.Close(f["output." + outName], y, $"{f.Name} output");
        y.Mul(f["grad_output." + outName]).Sum().Backward();
        Check.Close(f["grad.input.x"], x.Grad!, $"{f.Name} input gradient");
        foreach (KeyValuePair<string, Tensor> p in module.NamedParameters())
        {
            Check.Close(f["grad.param." + p.Key], p.Value.Grad!, $"{f.Name} gradient of {p.Key}");
        }
    }

    private static void RunRecurrent(string name, RecurrentLayer rnn)
    {
        var f = Fixture.Load(name);
        rnn.LoadStateDict(f.Parameters());
        Tensor x = f.Input("x");
        RecurrentOutput result = rnn.Forward(x, f.IntInput("lengths"));
        Check.Close(f["output.output"], result.Output, $"{name} output");
        Check.Close(f["output.h_n"], result.Hidden, $"{name} h_n");
        Tensor loss = result.Output.Mul(f["grad_output.output"]).Sum().Add(result.Hidden.Mul(f["grad_output.h_n"]).Sum());
        if (result.Cell is not null)
        {
            Check.Close(f["output.c_n"], result.Cell, $"{name} c_n");
            loss = loss.Add(result.Cell.Mul(f["grad_output.c_n"]).Sum());
        }

        loss.Backward();
        Check.Close(f["grad.input.x"], x.Grad!, $"{name} input gradient");
        foreach (KeyValuePair<string, Tensor> p in rnn.NamedParameters())
        {
            Check.Close(f["grad.param." + p.Key], p.Value.Grad!, $"{name} gradient of {p.Key}");
        }
    }
}
