namespace Microsoft.ML.Attention.Transforms;

/// <summary>One image's outputs: class probabilities, the predicted key (1-based) and every glimpse's location (x, y pairs).</summary>
internal sealed record RecurrentAttentionScores(float[] Probabilities, uint Predicted, float[] Locations);
