using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// Unfolds an image [C, H, W] into the column matrix [C·kH·kW, H'·W'] a convolution multiplies by its weights,
/// and folds such a matrix back (summing overlaps) for the input gradient. The matrix may be a column block of a
/// wider one (row stride <c>ld</c>), so that several images share one product.
/// </summary>
internal static class Im2Col
{
    internal static void Unfold(ReadOnlySpan<float> image, ConvGeometry g, Span<float> cols, int ld)
    {
        if (IsSameWidth(g))
        {
            UnfoldSameWidth(image, g, cols, ld);
            return;
        }

        int oh = g.OutH, ow = g.OutW;
        for (int c = 0; c < g.Channels; c++)
        {
            for (int ki = 0; ki < g.KH; ki++)
            {
                for (int kj = 0; kj < g.KW; kj++)
                {
                    Span<float> row = cols.Slice(((c * g.KH + ki) * g.KW + kj) * ld);
                    (int j0, int j1) = ValidColumns(g, kj);
                    for (int i = 0; i < oh; i++)
                    {
                        int r = i * g.Stride - g.PadH + ki;
                        Span<float> dst = row.Slice(i * ow, ow);
                        if ((uint)r >= (uint)g.H || j0 >= j1)
                        {
                            dst.Clear();
                            continue;
                        }

                        ReadOnlySpan<float> src = image.Slice((c * g.H + r) * g.W, g.W);
                        dst[..j0].Clear();
                        dst[j1..].Clear();
                        int first = j0 * g.Stride - g.PadW + kj;
                        if (g.Stride == 1)
                        {
                            src.Slice(first, j1 - j0).CopyTo(dst[j0..j1]);
                        }
                        else
                        {
                            for (int j = j0; j < j1; j++)
                            {
                                dst[j] = src[first + (j - j0) * g.Stride];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Adds the column matrix back into the image. The matrix is scratch: a stride-1 "same width" convolution's fast path
    /// zeroes the entries of padded positions in it before adding the valid rows in one piece.
    /// </summary>
    internal static void Fold(Span<float> cols, int ld, ConvGeometry g, Span<float> image)
    {
        if (IsSameWidth(g))
        {
            FoldSameWidth(cols, ld, g, image);
            return;
        }

        int oh = g.OutH, ow = g.OutW;
        for (int c = 0; c < g.Channels; c++)
        {
            for (int ki = 0; ki < g.KH; ki++)
            {
                for (int kj = 0; kj < g.KW; kj++)
                {
                    ReadOnlySpan<float> row = cols.Slice(((c * g.KH + ki) * g.KW + kj) * ld);
                    (int j0, int j1) = ValidColumns(g, kj);
                    if (j0 >= j1)
                    {
                        continue;
                    }

                    int first = j0 * g.Stride - g.PadW + kj;
                    for (int i = 0; i < oh; i++)
                    {
                        int r = i * g.Stride - g.PadH + ki;
                        if ((uint)r >= (uint)g.H)
                        {
                            continue;
                        }

                        Span<float> dst = image.Slice((c * g.H + r) * g.W, g.W);
                        ReadOnlySpan<float> src = row.Slice(i * ow + j0, j1 - j0);
                        if (g.Stride == 1)
                        {
                            Span<float> seg = dst.Slice(first, j1 - j0);
                            TensorPrimitives.Add(seg, src, seg);
                        }
                        else
                        {
                            for (int j = 0; j < src.Length; j++)
                            {
                                dst[first + j * g.Stride] += src[j];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Stride 1 and an output as wide as the input (padding (kW − 1) / 2 each side): for one kernel offset (ki, kj) the
    /// output rows whose input row is inside the image read one contiguous run of the image, shifted by a constant; only
    /// the |kj − padW| edge columns of each row fall outside the image (into the neighbouring row) and are zero.
    /// </summary>
    private static bool IsSameWidth(ConvGeometry g) => g.Stride == 1 && g.OutW == g.W && g.PadW < g.W;

    /// <summary>The output rows [i0, i1) whose input row i − padH + ki lies inside the image (stride 1).</summary>
    private static (int I0, int I1) ValidRows(ConvGeometry g, int ki)
    {
        int i0 = Math.Max(0, g.PadH - ki), i1 = Math.Min(g.OutH, g.H + g.PadH - ki);
        return (i0, Math.Max(i0, i1));
    }

    private static void UnfoldSameWidth(ReadOnlySpan<float> image, ConvGeometry g, Span<float> cols, int ld)
    {
        int oh = g.OutH, w = g.W, hw = g.H * w;
        for (int c = 0; c < g.Channels; c++)
        {
            for (int ki = 0; ki < g.KH; ki++)
            {
                (int i0, int i1) = ValidRows(g, ki);
                for (int kj = 0; kj < g.KW; kj++)
                {
                    Span<float> row = cols.Slice(((c * g.KH + ki) * g.KW + kj) * ld, oh * w);
                    row[..(i0 * w)].Clear();
                    row[(i1 * w)..].Clear();
                    if (i0 >= i1)
                    {
                        continue;
                    }

                    // dst[d] = channel[d + shift] for d in [i0·W, i1·W), clipped to the channel's extent; the clipped
                    // ends and the wrapped edge columns are padding.
                    int shift = (ki - g.PadH) * w + kj - g.PadW;
                    int d0 = Math.Max(i0 * w, -shift), d1 = Math.Min(i1 * w, hw - shift);
                    row[(i0 * w)..d0].Clear();
                    row[d1..(i1 * w)].Clear();
                    image.Slice(c * hw + d0 + shift, d1 - d0).CopyTo(row[d0..d1]);
                    ClearEdgeColumns(row, g, kj, i0, i1);
                }
            }
        }
    }

    private static void FoldSameWidth(Span<float> cols, int ld, ConvGeometry g, Span<float> image)
    {
        int oh = g.OutH, w = g.W, hw = g.H * w;
        for (int c = 0; c < g.Channels; c++)
        {
            for (int ki = 0; ki < g.KH; ki++)
            {
                (int i0, int i1) = ValidRows(g, ki);
                if (i0 >= i1)
                {
                    continue;
                }

                for (int kj = 0; kj < g.KW; kj++)
                {
                    Span<float> row = cols.Slice(((c * g.KH + ki) * g.KW + kj) * ld, oh * w);
                    ClearEdgeColumns(row, g, kj, i0, i1);
                    int shift = (ki - g.PadH) * w + kj - g.PadW;
                    int d0 = Math.Max(i0 * w, -shift), d1 = Math.Min(i1 * w, hw - shift);
                    Span<float> dst = image.Slice(c * hw + d0 + shift, d1 - d0);
                    TensorPrimitives.Add(dst, row[d0..d1], dst);
                }
            }
        }
    }

    /// <summary>Zeroes, in output rows [i0, i1), the columns whose input column j − padW + kj is outside the image.</summary>
    private static void ClearEdgeColumns(Span<float> row, ConvGeometry g, int kj, int i0, int i1)
    {
        int w = g.W, left = Math.Max(0, g.PadW - kj), right = Math.Max(0, kj - g.PadW);
        if (left == 0 && right == 0)
        {
            return;
        }

        for (int i = i0; i < i1; i++)
        {
            row.Slice(i * w, left).Clear();
            row.Slice((i + 1) * w - right, right).Clear();
        }
    }

    /// <summary>The output columns [j0, j1) whose input column j·stride − padW + kj lies inside the image.</summary>
    private static (int J0, int J1) ValidColumns(ConvGeometry g, int kj)
    {
        int offset = kj - g.PadW;
        int j0 = offset >= 0 ? 0 : (-offset + g.Stride - 1) / g.Stride;
        int last = g.W - 1 - offset;
        int j1 = last < 0 ? 0 : Math.Min(g.OutW, last / g.Stride + 1);
        return (Math.Min(j0, j1), j1);
    }
}
