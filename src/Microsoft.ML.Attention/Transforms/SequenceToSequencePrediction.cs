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

    /// <summary>
    /// The alignment as a PNG: one row of <paramref name="cellSize"/>-pixel squares per output token, one column per
    /// source token, each row shaded relative to its largest weight (white = none).
    /// </summary>
    /// <exception cref="InvalidOperationException">The output is empty, so there is nothing to draw.</exception>
    public byte[] RenderAlignment(int cellSize = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cellSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cellSize, 256);
        if (Alignment.Length == 0)
        {
            throw new InvalidOperationException($"The prediction for '{string.Join("", SourceTokens)}' has no output token, so it has no alignment to draw.");
        }

        return AttentionHeatmap.RenderMatrix(FlatAlignment(), Alignment.Length, SourceTokens.Length, cellSize);
    }

    /// <summary>Writes <see cref="RenderAlignment"/> to <paramref name="path"/> (whole or not at all).</summary>
    public void SaveAlignment(string path, int cellSize = 16) => AtomicFile.WriteAllBytes(path, RenderAlignment(cellSize));
}
