namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// Where the rows of one attention head live in a query, key, value or output buffer: element strides between
/// batches, heads and rows (a row's elements are contiguous). Covers both [B, H, L, E] and the packed
/// [B, L, H·E] layout that projections produce, so heads are read in place without a permute. <see cref="Start"/>
/// is where element 0 of the operand sits in its buffer.
/// </summary>
internal readonly record struct HeadStrides(int Batch, int Head, int Row, int Start = 0)
{
    /// <summary>[B, H, L, E]: each head's rows are contiguous.</summary>
    internal static HeadStrides HeadMajor(int heads, int length, int width) => new(heads * length * width, length * width, width);

    /// <summary>[B, L, H·E]: the heads of one position sit side by side.</summary>
    internal static HeadStrides Packed(int heads, int length, int width) => new(length * heads * width, width, heads * width);

    /// <summary>
    /// Query, key and value packed in one [B, L, 3·H·E] tensor, as one projection of the input produces them;
    /// <paramref name="part"/> 0, 1, 2 picks which.
    /// </summary>
    internal static HeadStrides PackedTriple(int heads, int length, int width, int part) =>
        new(length * 3 * heads * width, width, 3 * heads * width, part * heads * width);

    internal int Offset(int b, int h, int row) => Start + b * Batch + h * Head + row * Row;
}

/// <summary>The sizes of one attention call: B batches of H heads, L queries over S keys, key width E, value width Ev.</summary>
internal readonly record struct AttentionLayout(
    int Batch, int Heads, int QueryLength, int KeyLength, int HeadDim, int ValueDim,
    HeadStrides Query, HeadStrides Key, HeadStrides Value, HeadStrides Output);
