namespace Microsoft.ML.Attention.Transforms;

/// <summary>What the time-step attention model writes for one row.</summary>
/// <param name="Scores">Class probabilities, or the one regression value.</param>
/// <param name="Predicted">The predicted key (1-based; 0 for regression).</param>
/// <param name="StepWeights">The attention weight of every step.</param>
internal sealed record TimeStepAttentionScores(float[] Scores, uint Predicted, float[] StepWeights);
