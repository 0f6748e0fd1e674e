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

    internal static void Fold(ReadOnlySpan<float> cols, int ld, ConvGeometry g, Span<float> image)
    {
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
