using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Support;

namespace Microsoft.ML.Attention.Tests;

/// <summary>
/// The fused GRU/LSTM kernel (one recorded operation per direction) against the step-by-step path composed from
/// autograd ops: outputs, final states and every gradient, in both directions, padded batches, both layouts, with
/// initial states. PyTorch parity of the fused default is in <see cref="ParityTests"/>, finite differences here and in
/// <see cref="GradCheckTests"/>.
/// </summary>
[TestClass]
public sealed class FusedRecurrentTests
{
    [TestMethod]
    [DataRow(false, true, true, 4, 6)]
    [DataRow(false, false, true, 4, 6)]
    [DataRow(true, true, true, 4, 6)]
    [DataRow(true, false, false, 4, 6)]
    [DataRow(false, true, true, 37, 6)] // enough rows for the recurrence to split across cores
    [DataRow(true, false, true, 40, 6)]
    [DataRow(false, true, true, 9, 21)] // wide enough for the cell's 512- or 256-bit vectors, the GRU's last one overlapping
    [DataRow(true, true, true, 9, 21)]
    [DataRow(false, false, true, 9, 50)] // the HAN's width: 16 + 16 + 16 and an overlapping last vector (at 256 bits: six of 8 and an overlapping seventh)
    public void Fused_EqualsStepByStep_OutputsStatesAndGradients(bool lstm, bool batchFirst, bool bidirectional, int b, int h)
    {
        const int t = 7, f = 5, layers = 2;
        int dirs = bidirectional ? 2 : 1;
        int[] lengths = [.. Enumerable.Range(0, b).Select(i => new[] { 7, 3, 5, 1 }[i % 4])];
        (Tensor[] Values, Tensor[] Grads) Run(bool stepByStep)
        {
            RecurrentLayer rnn = lstm
                ? new Lstm(f, h, numLayers: layers, bidirectional: bidirectional, batchFirst: batchFirst, random: new Random(3))
                : new Gru(f, h, numLayers: layers, bidirectional: bidirectional, batchFirst: batchFirst, random: new Random(3));
            rnn.StepByStep = stepByStep;
            Tensor x = Tensor.Randn(new Random(4), 1f, batchFirst ? [b, t, f] : [t, b, f]);
            Tensor h0 = Tensor.Randn(new Random(5), 0.5f, layers * dirs, b, h);
            Tensor c0 = Tensor.Randn(new Random(6), 0.5f, layers * dirs, b, h);
            foreach (Tensor leaf in new[] { x, h0, c0 })
            {
                leaf.RequiresGrad = true;
            }

            RecurrentOutput r = rnn.Forward(x, lengths, h0, lstm ? c0 : null);
            Tensor loss = r.Output.Mul(Tensor.Randn(new Random(8), 1f, r.Output.Dims)).Sum()
                .Add(r.Hidden.Mul(Tensor.Randn(new Random(9), 1f, r.Hidden.Dims)).Sum());
            if (r.Cell is not null)
            {
                loss = loss.Add(r.Cell.Mul(Tensor.Randn(new Random(10), 1f, r.Cell.Dims)).Sum());
            }

            loss.Backward();
            Tensor[] values = r.Cell is null ? [r.Output, r.Hidden] : [r.Output, r.Hidden, r.Cell];
            Tensor[] grads = [x.Grad!, h0.Grad!, .. lstm ? [c0.Grad!] : Array.Empty<Tensor>(), .. rnn.Parameters().Select(p => p.Grad!)];
            return (values, grads);
        }

        var fused = Run(stepByStep: false);
        var reference = Run(stepByStep: true);
        string name = $"{(lstm ? "LSTM" : "GRU")} {(batchFirst ? "batch-first" : "time-first")}{(bidirectional ? " bidirectional" : "")}";
        for (int i = 0; i < fused.Values.Length; i++)
        {
            Check.Close(reference.Values[i], fused.Values[i], $"{name}: value {i}", rtol: 1e-5f, atol: 1e-6f);
        }

        Assert.HasCount(reference.Grads.Length, fused.Grads);
        for (int i = 0; i < fused.Grads.Length; i++)
        {
            Check.Close(reference.Grads[i], fused.Grads[i], $"{name}: gradient {i}", rtol: 1e-4f, atol: 1e-5f);
        }
    }

    [TestMethod]
    public void Fused_GradientCheck_WithInitialStatesAndLengths()
    {
        var lstm = new Lstm(3, 4, bidirectional: true, random: new Random(1));
        GradCheck.Verify(x => lstm.Forward(x[0], [3, 1], x[1], x[2]).Cell!, [GradCheck.Rand(1, 2, 3, 3), GradCheck.Rand(2, 2, 2, 4), GradCheck.Rand(3, 2, 2, 4)], "fused LSTM final cell");
        var gru = new Gru(3, 4, random: new Random(2));
        GradCheck.Verify(x => gru.Forward(x[0], [2, 3], x[1]).Output, [GradCheck.Rand(4, 2, 3, 3), GradCheck.Rand(5, 1, 2, 4), .. gru.Parameters()], "fused GRU with initial state");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void Fused_OneStepPerCall_AsADecoderRuns_AddsEveryStepIntoTheWeightsGradients(bool lstm)
    {
        // A decoder calls the layer once per output step with the state it carried: each call's weight gradients are
        // added into the ones the earlier calls' backward gathered.
        RecurrentLayer layer = lstm ? new Lstm(3, 4, random: new Random(5)) : new Gru(3, 4, random: new Random(5));
        Tensor x = GradCheck.Rand(6, 2, 3, 3);
        Tensor Decode()
        {
            Tensor h = Tensor.Zeros(1, 2, 4), c = Tensor.Zeros(1, 2, 4), total = Tensor.Zeros(1);
            for (int t = 0; t < 3; t++)
            {
                RecurrentOutput step = layer.Forward(x.Narrow(1, t, 1), (int[]?)null, h, lstm ? c : null);
                h = step.Hidden;
                c = step.Cell ?? c;
                total = total.Add(step.Output.Mul(Tensor.FromArray([1f, -2f, 0.5f, 3f], 4)).Sum());
            }

            return total;
        }

        GradCheck.Verify(_ => Decode(), [.. layer.Parameters()], $"{(lstm ? "LSTM" : "GRU")} decoder of three calls, w.r.t. its weights");
    }

    [TestMethod]
    public void Fused_WithoutATape_SavesNothing_AndGivesTheSameOutput()
    {
        var gru = new Gru(5, 8, bidirectional: true, random: new Random(3));
        Tensor x = Tensor.Randn(new Random(4), 1f, 3, 6, 5);
        float[] taped = gru.Forward(x, [6, 2, 4]).Output.ToArray();
        using (GradMode.NoGrad())
        {
            RecurrentOutput r = gru.Forward(x, [6, 2, 4]);
            Assert.IsNull(r.Output.GradFn, "no tape under NoGrad");
            CollectionAssert.AreEqual(taped, r.Output.ToArray());
        }
    }
}
