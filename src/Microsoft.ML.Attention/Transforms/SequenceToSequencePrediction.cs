namespace Microsoft.ML.Attention.Transforms;

/// <summary>What a <see cref="SequenceToSequenceTransformer"/> writes for one source.</summary>
/// <param name="Text">The predicted text (its tokens joined as the unit says).</param>
/// <param name="SourceTokens">The source's tokens (the alignment's columns).</param>
/// <param name="OutputTokens">The output's tokens (the alignment's rows).</param>
/// <param name="Alignment">Per output token, its attention weights over the source tokens.</param>
public sealed record SequenceToSequencePrediction(string Text, string[] SourceTokens, string[] OutputTokens, float[][] Alignment)
{
    /// <summary>The alignment row after row: output tokens × source tokens.</summary>
    public float[] FlatAlignment() => [.. Alignment.SelectMany(row => row)];
}
