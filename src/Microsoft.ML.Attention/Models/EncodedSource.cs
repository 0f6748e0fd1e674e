using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Sources as the decoder attends to them: the encoder states [B, S, 2H], their projected keys (computed once, reused at
/// every step), the padding mask [B, S], the encoder's final states and each source's length.
/// </summary>
/// <param name="States">The bidirectional encoder's outputs (the attention's values).</param>
/// <param name="Keys">The states projected by the attention (<c>IDecoderAttention.ProjectKeys</c>).</param>
/// <param name="Padding">[B, S]: 1 marks padding.</param>
/// <param name="Final">[B, 2H] the encoder's final states, forward then backward.</param>
/// <param name="Lengths">Tokens of each source.</param>
public sealed record EncodedSource(Tensor States, Tensor Keys, Tensor Padding, Tensor Final, int[] Lengths)
{
    /// <summary>Sources in the batch.</summary>
    public int Batch => Lengths.Length;

    /// <summary>The rows <paramref name="rows"/> of every part, in that order (a row may repeat: beams of one source).</summary>
    public EncodedSource Select(int[] rows) =>
        new(States.IndexSelect(rows), Keys.IndexSelect(rows), Padding.IndexSelect(rows), Final.IndexSelect(rows), [.. rows.Select(r => Lengths[r])]);
}
