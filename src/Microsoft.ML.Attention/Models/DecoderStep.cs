using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>One output step of a sequence-to-sequence decoder.</summary>
/// <param name="Logits">[B, V] scores of the next token.</param>
/// <param name="Weights">[B, S] attention over the source tokens.</param>
/// <param name="State">The state for the next step.</param>
public sealed record DecoderStep(Tensor Logits, Tensor Weights, DecoderState State);
