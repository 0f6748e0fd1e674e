using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// Bidirectional co-attention between two sequences (as in Dynamic Coattention Networks and BiDAF): one affinity
/// matrix A = X·(W Y)ᵀ (bilinear, <c>W.weight</c> [D, D]; or X·Yᵀ without it), normalized over each side, so that
/// every position of each sequence gets a summary of the other.
/// </summary>
public sealed class CoAttention : Module
{
    private readonly int _dim;

    /// <summary>Creates the layer for sequences of width <paramref name="dim"/>.</summary>
    public CoAttention(int dim, bool bilinear = true, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        _dim = dim;
        W = bilinear ? RegisterModule("W", new Linear(dim, dim, bias: false, random: random ?? DefaultGenerator.Next())) : null;
    }

    /// <summary>The bilinear map, or null for plain dot products.</summary>
    public Linear? W { get; }

    /// <summary>Co-attends <paramref name="first"/> [B, La, D] and <paramref name="second"/> [B, Lb, D].</summary>
    /// <param name="first">The first sequence.</param>
    /// <param name="second">The second sequence.</param>
    /// <param name="firstPadding">[B, La]; non-zero = padding, never attended.</param>
    /// <param name="secondPadding">[B, Lb]; non-zero = padding, never attended.</param>
    public CoAttentionResult Forward(Tensor first, Tensor second, Tensor? firstPadding = null, Tensor? secondPadding = null)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Rank != 3 || second.Rank != 3 || first.Dims[2] != _dim || second.Dims[2] != _dim || first.Dims[0] != second.Dims[0])
        {
            throw new ArgumentException($"CoAttention: sequences of shapes {ShapeMath.Format(first.Dims)} and {ShapeMath.Format(second.Dims)}; expected [batch, length, {_dim}] with the same batch.", nameof(second));
        }

        Tensor affinity = first.MatMul(W is null ? second : W.Forward(second), transposeB: true);
        Tensor toSecond = PaddingBias.MaskedSoftmax(affinity, secondPadding, nameof(secondPadding));
        Tensor toFirst = PaddingBias.MaskedSoftmax(affinity.Transpose(1, 2), firstPadding, nameof(firstPadding));
        return new CoAttentionResult(toSecond.MatMul(second), toFirst.MatMul(first), toSecond, toFirst);
    }
}
