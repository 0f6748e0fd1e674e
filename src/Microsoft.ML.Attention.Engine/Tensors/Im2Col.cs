namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// Unfolds an image [C, H, W] into the column matrix [C·kH·kW, H'·W'] a convolution multiplies by its weights,
/// and folds such a matrix back (summing overlaps) for the input gradient.
/// </summary>
internal static class Im2Col
{
    internal static void Unfold(ReadOnlySpan<float> image, ConvGeometry g, Span<float> cols)
    {
        int oh = g.OutH, ow = g.OutW, p = oh * ow;
        for (int c = 0; c < g.Channels; c++)
        {
            for (int ki = 0; ki < g.KH; ki++)
            {
                for (int kj = 0; kj < g.KW; kj++)
                {
                    Span<float> row = cols.Slice(((c * g.KH + ki) * g.KW + kj) * p, p);
                    for (int i = 0; i < oh; i++)
                    {
                        int r = i * g.Stride - g.Padding + ki;
                        Span<float> dst = row.Slice(i * ow, ow);
                        if ((uint)r >= (uint)g.H)
                        {
                            dst.Clear();
                            continue;
                        }

                        ReadOnlySpan<float> src = image.Slice((c * g.H + r) * g.W, g.W);
                        for (int j = 0; j < ow; j++)
                        {
                            int cc = j * g.Stride - g.Padding + kj;
                            dst[j] = (uint)cc < (uint)g.W ? src[cc] : 0f;
                        }
                    }
                }
            }
        }
    }

    internal static void Fold(ReadOnlySpan<float> cols, ConvGeometry g, Span<float> image)
    {
        int oh = g.OutH, ow = g.OutW, p = oh * ow;
        for (int c = 0; c < g.Channels; c++)
        {
            for (int ki = 0; ki < g.KH; ki++)
            {
                for (int kj = 0; kj < g.KW; kj++)
                {
                    ReadOnlySpan<float> row = cols.Slice(((c * g.KH + ki) * g.KW + kj) * p, p);
                    for (int i = 0; i < oh; i++)
                    {
                        int r = i * g.Stride - g.Padding + ki;
                        if ((uint)r >= (uint)g.H)
                        {
                            continue;
                        }

                        Span<float> dst = image.Slice((c * g.H + r) * g.W, g.W);
                        for (int j = 0; j < ow; j++)
                        {
                            int cc = j * g.Stride - g.Padding + kj;
                            if ((uint)cc < (uint)g.W)
                            {
                                dst[cc] += row[i * ow + j];
                            }
                        }
                    }
                }
            }
        }
    }
}
