namespace Microsoft.ML.Attention.Transforms;

/// <summary>What the co-attention classifier writes for one pair.</summary>
/// <param name="Logit">The score.</param>
/// <param name="FirstToSecond">The first text's attention over the second, row after row.</param>
/// <param name="SecondToFirst">The second text's attention over the first, row after row.</param>
/// <param name="FirstWords">The first text's words.</param>
/// <param name="SecondWords">The second text's words.</param>
public sealed record CoAttentionScores(float Logit, float[] FirstToSecond, float[] SecondToFirst, string[] FirstWords, string[] SecondWords)
{
    /// <summary>The probability of the positive class.</summary>
    public float Probability => 1f / (1f + MathF.Exp(-Logit));
}
