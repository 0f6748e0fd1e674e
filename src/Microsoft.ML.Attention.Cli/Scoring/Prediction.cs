namespace Microsoft.ML.Attention.Cli.Scoring;

/// <summary>One text's prediction and, when the model has them, its attention weights.</summary>
/// <param name="PredictedLabel">The predicted class.</param>
/// <param name="Scores">The score of every class, in the model's key order.</param>
/// <param name="Words">The words the model read (null without attention columns).</param>
/// <param name="WordWeights">Their weights (for a hierarchical model: within each sentence).</param>
/// <param name="Sentences">The sentences (hierarchical models only).</param>
/// <param name="SentenceWeights">Their weights.</param>
/// <param name="Pixels">An image model's planar pixels, which its attention map is drawn over (null otherwise).</param>
internal sealed record Prediction(
    string PredictedLabel, float[] Scores, string[]? Words, float[]? WordWeights, string[]? Sentences, float[]? SentenceWeights, float[]? Pixels = null)
{
    /// <summary>The predicted class's score.</summary>
    public float Probability => Scores.Length == 0 ? float.NaN : Scores.Max();
}
