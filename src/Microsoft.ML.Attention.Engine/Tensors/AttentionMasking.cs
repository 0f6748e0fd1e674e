namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// Everything that shapes the scores of one attention call before the softmax: the scale, an additive bias,
/// blocked positions (a broadcast mask and a key padding mask, non-zero = blocked) and the causal rule
/// (query i sees keys j ≤ i).
/// </summary>
internal readonly struct AttentionMasking(float scale, AttentionMaskView additive, AttentionMaskView blocked, AttentionMaskView keyPadding, bool causal)
{
    internal float Scale { get; } = scale;

    internal bool Causal { get; } = causal;

    internal bool HasMasks => additive.IsPresent || blocked.IsPresent || keyPadding.IsPresent || Causal;

    /// <summary>
    /// Turns raw dot products of query row i (keys j0…j0+count) into scores: scaled, biased, −∞ where blocked.
    /// </summary>
    internal void Apply(int b, int h, int i, int j0, Span<float> row, Span<float> scratch)
    {
        System.Numerics.Tensors.TensorPrimitives.Multiply(row, Scale, row);
        if (additive.IsPresent)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(row, additive.Row(b, h, i, j0, row.Length, scratch), row);
        }

        if (blocked.IsPresent)
        {
            Block(row, blocked.Row(b, h, i, j0, row.Length, scratch));
        }

        if (keyPadding.IsPresent)
        {
            Block(row, keyPadding.Row(b, h, i, j0, row.Length, scratch));
        }

        if (Causal)
        {
            int firstBlocked = Math.Max(0, i + 1 - j0);
            if (firstBlocked < row.Length)
            {
                row[firstBlocked..].Fill(float.NegativeInfinity);
            }
        }
    }

    private static void Block(Span<float> row, ReadOnlySpan<float> mask)
    {
        for (int c = 0; c < row.Length; c++)
        {
            if (mask[c] != 0f)
            {
                row[c] = float.NegativeInfinity;
            }
        }
    }
}
