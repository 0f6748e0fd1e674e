using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>What a recurrent layer returns.</summary>
/// <param name="Output">Top layer's states at every step: [B, T, D·H] batch-first, else [T, B, D·H]; zero past a sequence's length.</param>
/// <param name="Hidden">Final hidden state of every layer and direction, [L·D, B, H] (for a sequence, its state at its last valid step).</param>
/// <param name="Cell">Final LSTM cell state [L·D, B, H]; null for GRU.</param>
public sealed record RecurrentOutput(Tensor Output, Tensor Hidden, Tensor? Cell);
