namespace Microsoft.ML.Attention.Models;

/// <summary>One decoded output: its token ids (without the end marker), the alignment and its score.</summary>
/// <param name="Tokens">The output's token ids.</param>
/// <param name="Alignment">Per output token, its attention weights over the source's tokens (each row sums to 1).</param>
/// <param name="LogProbability">The sum of the tokens' log-probabilities, the end marker's included (when it was reached).</param>
public sealed record DecodedSequence(int[] Tokens, float[][] Alignment, float LogProbability);
