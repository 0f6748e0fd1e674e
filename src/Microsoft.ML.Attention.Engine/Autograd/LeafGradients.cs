using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Autograd;

/// <summary>
/// Gradients of leaves (parameters) gathered apart from their <see cref="Tensor.Grad"/>: while one is active on a
/// thread (<see cref="Backpropagation.GatherLeafGradients"/>), backward on that thread adds each leaf's gradient here, so
/// that several threads can run backward through graphs that share parameters at once. Its buffers are kept from one
/// use to the next (<see cref="Clear"/> zeroes them), so a training step allocates none.
/// </summary>
internal sealed class LeafGradients
{
    private readonly Dictionary<Tensor, Tensor> _gradients = new(ReferenceEqualityComparer.Instance);

    /// <summary>The gathered gradient of <paramref name="leaf"/>, a zero buffer of its shape if nothing was added yet.</summary>
    internal Tensor Of(Tensor leaf)
    {
        if (!_gradients.TryGetValue(leaf, out Tensor? gradient))
        {
            gradient = Tensor.ZerosUnscoped(leaf.Dims);
            _gradients.Add(leaf, gradient);
        }

        return gradient;
    }

    /// <summary>Whether anything was gathered for <paramref name="leaf"/> since the buffers were made (zeros included).</summary>
    internal bool TryGet(Tensor leaf, out Tensor gradient) => _gradients.TryGetValue(leaf, out gradient!);

    /// <summary>The leaves with a buffer.</summary>
    internal IEnumerable<Tensor> Leaves => _gradients.Keys;

    /// <summary>Zeroes every buffer (kept for the next use).</summary>
    internal void Clear()
    {
        foreach (Tensor gradient in _gradients.Values)
        {
            gradient.AsSpan().Clear();
        }
    }
}
