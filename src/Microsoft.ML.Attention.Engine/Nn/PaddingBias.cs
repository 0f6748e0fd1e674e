using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>Masked softmax over the last dimension for the attention modules: non-zero mask entries are blocked.</summary>
internal static class PaddingBias
{
    /// <summary>
    /// softmax over the last dimension of <paramref name="scores"/> [B, …, S] with the positions where
    /// <paramref name="paddingMask"/> [B, S] is non-zero blocked; a row with every position blocked gives zeros.
    /// </summary>
    internal static Tensor MaskedSoftmax(Tensor scores, Tensor? paddingMask, string maskName)
    {
        if (paddingMask is null)
        {
            return scores.Softmax(-1);
        }

        int b = scores.Dims[0], s = scores.Dims[^1];
        if (paddingMask.Rank != 2 || paddingMask.Dims[0] != b || paddingMask.Dims[1] != s)
        {
            throw new ArgumentException($"{maskName} has shape {ShapeMath.Format(paddingMask.Dims)}; expected [batch, positions] = [{b}, {s}].", maskName);
        }

        return Ops.MaskedSoftmax(scores, paddingMask);
    }
}
