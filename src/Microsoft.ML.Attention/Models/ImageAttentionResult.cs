using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>An image attention network's outputs for a batch.</summary>
/// <param name="Logits">Class scores before the softmax, [N, classes].</param>
/// <param name="Embedding">The head's hidden layer (after ReLU), [N, EmbeddingDimension].</param>
/// <param name="AttentionMap">The last stage's spatial map, [N, H'·W'], or null when not asked for.</param>
/// <param name="MapHeight">Rows of the map.</param>
/// <param name="MapWidth">Columns of the map.</param>
public sealed record ImageAttentionResult(Tensor Logits, Tensor Embedding, Tensor? AttentionMap, int MapHeight, int MapWidth);
