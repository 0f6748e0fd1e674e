using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>What a <see cref="HierarchicalAttentionModel"/> computes for a batch.</summary>
/// <param name="Logits">Class scores [B, classes].</param>
/// <param name="Document">The attention-pooled document vectors [B, 2H].</param>
/// <param name="WordWeights">Word attention [B, S, W]: each real sentence's weights sum to 1; 0 on padding.</param>
/// <param name="SentenceWeights">Sentence attention [B, S]: each document's weights sum to 1; 0 on padding.</param>
public sealed record HierarchicalAttentionResult(Tensor Logits, Tensor Document, Tensor WordWeights, Tensor SentenceWeights);
