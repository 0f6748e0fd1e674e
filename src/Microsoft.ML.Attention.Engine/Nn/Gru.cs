using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// Gated recurrent unit (PyTorch <c>nn.GRU</c>, gates in the order reset, update, new):
/// n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)), h' = (1 − z)⊙n + z⊙h.
/// </summary>
public sealed class Gru : RecurrentLayer
{
    /// <summary>Creates the layer with PyTorch's initialization U(−1/√H, 1/√H) drawn from <paramref name="random"/>.</summary>
    public Gru(int inputSize, int hiddenSize, int numLayers = 1, bool bidirectional = false, bool batchFirst = true, float dropout = 0f, Random? random = null)
        : base(3, inputSize, hiddenSize, numLayers, bidirectional, batchFirst, dropout, random)
    {
    }

    private protected override bool HasCell => false;

    private protected override (Tensor H, Tensor C) Step(Tensor inputGates, Tensor hiddenGates, Tensor h, Tensor c)
    {
        int hs = HiddenSize;
        Tensor r = inputGates.Narrow(1, 0, hs).Add(hiddenGates.Narrow(1, 0, hs)).Sigmoid();
        Tensor z = inputGates.Narrow(1, hs, hs).Add(hiddenGates.Narrow(1, hs, hs)).Sigmoid();
        Tensor n = inputGates.Narrow(1, 2 * hs, hs).Add(r.Mul(hiddenGates.Narrow(1, 2 * hs, hs))).Tanh();
        return (n.Add(z.Mul(h.Sub(n))), c);
    }
}
