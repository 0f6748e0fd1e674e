namespace Microsoft.ML.Attention.Transforms;

/// <summary>What a <see cref="HierarchicalAttentionTransformer"/> computes for one document.</summary>
/// <param name="Probabilities">Class probabilities.</param>
/// <param name="Logits">Class scores before the softmax.</param>
/// <param name="Predicted">The predicted class as a key (1-based).</param>
/// <param name="SentenceWeights">The weight of every sentence.</param>
/// <param name="Sentences">The sentences, their words joined by spaces.</param>
/// <param name="WordWeights">The weight of every word within its sentence, sentence after sentence.</param>
/// <param name="Words">The words, in the same order.</param>
internal sealed record HierarchicalAttentionScores(float[] Probabilities, float[] Logits, uint Predicted, float[] SentenceWeights, string[] Sentences, float[] WordWeights, string[] Words);
