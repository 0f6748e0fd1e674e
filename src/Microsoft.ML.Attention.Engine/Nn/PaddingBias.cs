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
        return paddingMask is null ? scores.Softmax(-1) : Ops.MaskedSoftmax(scores, paddingMask, maskName);
    }
}
