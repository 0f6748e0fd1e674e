using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>A teacher-forced pass of a sequence-to-sequence model.</summary>
/// <param name="Logits">[B, T, V] scores of every target step's token.</param>
/// <param name="Weights">[B, T, S] attention of every target step over the source tokens.</param>
public sealed record SequenceToSequenceResult(Tensor Logits, Tensor Weights);
