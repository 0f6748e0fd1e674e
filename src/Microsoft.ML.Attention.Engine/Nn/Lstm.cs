using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// Long short-term memory (PyTorch <c>nn.LSTM</c>, gates in the order input, forget, cell, output):
/// c' = f⊙c + i⊙g, h' = o⊙tanh(c').
/// </summary>
public sealed class Lstm : RecurrentLayer
{
    /// <summary>Creates the layer with PyTorch's initialization U(−1/√H, 1/√H) drawn from <paramref name="random"/>.</summary>
    public Lstm(int inputSize, int hiddenSize, int numLayers = 1, bool bidirectional = false, bool batchFirst = true, float dropout = 0f, Random? random = null)
        : base(4, inputSize, hiddenSize, numLayers, bidirectional, batchFirst, dropout, random)
    {
    }

    private protected override bool HasCell => true;

    private protected override (Tensor H, Tensor C) Step(Tensor inputGates, Tensor hiddenGates, Tensor h, Tensor c)
    {
        int hs = HiddenSize;
        Tensor gates = inputGates.Add(hiddenGates);
        Tensor i = gates.Narrow(1, 0, hs).Sigmoid();
        Tensor f = gates.Narrow(1, hs, hs).Sigmoid();
        Tensor g = gates.Narrow(1, 2 * hs, hs).Tanh();
        Tensor o = gates.Narrow(1, 3 * hs, hs).Sigmoid();
        Tensor cNew = f.Mul(c).Add(i.Mul(g));
        return (o.Mul(cNew.Tanh()), cNew);
    }
}
