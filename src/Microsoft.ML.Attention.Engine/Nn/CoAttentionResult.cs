using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>Both directions of a <see cref="CoAttention"/>.</summary>
/// <param name="ContextForFirst">For each position of the first sequence, the attended summary of the second [B, La, D].</param>
/// <param name="ContextForSecond">For each position of the second sequence, the attended summary of the first [B, Lb, D].</param>
/// <param name="FirstToSecondWeights">[B, La, Lb]: each row sums to 1 over the second sequence.</param>
/// <param name="SecondToFirstWeights">[B, Lb, La]: each row sums to 1 over the first sequence.</param>
public sealed record CoAttentionResult(Tensor ContextForFirst, Tensor ContextForSecond, Tensor FirstToSecondWeights, Tensor SecondToFirstWeights);
