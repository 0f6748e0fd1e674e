using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>What a sequence-to-sequence decoder carries from one output step to the next, per row.</summary>
/// <param name="Hidden">[B, D] the recurrent state.</param>
/// <param name="Cell">[B, D] the LSTM cell state, or null for a GRU.</param>
/// <param name="Feed">[B, D] the previous attentional state (Luong input feeding), or null.</param>
public sealed record DecoderState(Tensor Hidden, Tensor? Cell, Tensor? Feed)
{
    /// <summary>The rows <paramref name="rows"/> of every part, in that order.</summary>
    public DecoderState Select(int[] rows) => new(Hidden.IndexSelect(rows), Cell?.IndexSelect(rows), Feed?.IndexSelect(rows));
}
