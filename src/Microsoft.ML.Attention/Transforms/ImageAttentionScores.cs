namespace Microsoft.ML.Attention.Transforms;

/// <summary>One image's outputs: class probabilities, the predicted key (1-based), the embedding and the spatial map (or null).</summary>
internal sealed record ImageAttentionScores(float[] Probabilities, uint Predicted, float[] Embedding, float[]? Map);
