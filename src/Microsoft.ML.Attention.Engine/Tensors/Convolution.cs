using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// Batched 2-D convolution by im2col and GEMM: the images of a chunk are unfolded side by side into one column matrix
/// [C·kH·kW, images·H'·W'] (both cores, an image each), so that each group is one large product whatever the image
/// size, instead of a small product per image. The backward pass uses the same layout: one product for the weight
/// gradient and one for the column gradient per chunk, then a fold per image.
/// </summary>
internal static class Convolution
{
    /// <summary>Most floats of one chunk's column matrix (16 MiB), which bounds the images unfolded at once.</summary>
    internal const int MaxColumnFloats = 1 << 22;

    /// <summary>
    /// Output channels per group up to which a stride-1 convolution is computed directly (shifted rows times a weight,
    /// added), rather than as a product whose few rows leave the GEMM kernel's registers mostly empty: CBAM's 7×7
    /// spatial convolution (2 → 1) and ECA's 1-D one (1 → 1) are 5–10× faster so.
    /// </summary>
    internal const int DirectMaxOutputChannels = 4;

    /// <summary>Whether <see cref="Forward"/> and <see cref="Backward"/> take the direct path for this shape.</summary>
    internal static bool IsDirect(ConvGeometry geo, int outputChannelsPerGroup) => geo.Stride == 1 && outputChannelsPerGroup <= DirectMaxOutputChannels;

    internal static int ImagesPerChunk(ConvGeometry geo, int images) =>
        Math.Clamp(MaxColumnFloats / Math.Max(1, geo.Patch * geo.Positions), 1, Math.Max(1, images));

    /// <summary>y [N, O, H', W'] = conv(x [N, C, H, W], weight [O, C/groups, kH, kW]) + bias.</summary>
    internal static void Forward(Tensor x, Tensor weight, Tensor? bias, int groups, ConvGeometry geo, Tensor y)
    {
        int n = x.Dims[0], c = x.Dims[1], o = weight.Dims[0];
        int cg = geo.Channels, og = o / groups, p = geo.Positions, kk = geo.Patch, hw = geo.H * geo.W;
        if (IsDirect(geo, og))
        {
            CpuParallel.ForRanges(n, (first, count) => DirectForward(x, weight, bias, groups, geo, y, first, count), granule: 1, elementsPerItem: o * p * kk);
            return;
        }

        int chunk = ImagesPerChunk(geo, n);
        float[] cols = BufferPool.Rent(kk * chunk * p);
        float[] prod = BufferPool.Rent(og * chunk * p);
        try
        {
            for (int b0 = 0; b0 < n; b0 += chunk)
            {
                int nb = Math.Min(chunk, n - b0), ld = nb * p, first = b0;
                for (int gi = 0; gi < groups; gi++)
                {
                    int group = gi;
                    CpuParallel.For(nb, i => Im2Col.Unfold(x.AsSpan().Slice(((first + i) * c + group * cg) * hw, cg * hw), geo, cols.AsSpan(i * p), ld));
                    Gemm.Multiply(false, false, og, ld, kk, weight.AsSpan().Slice(gi * og * kk, og * kk), kk, cols, ld, prod, ld, false);
                    CpuParallel.For(nb, i =>
                    {
                        Span<float> ys = y.AsSpan();
                        for (int oc = 0; oc < og; oc++)
                        {
                            int channel = group * og + oc;
                            ReadOnlySpan<float> src = prod.AsSpan(oc * ld + i * p, p);
                            Span<float> dst = ys.Slice(((first + i) * o + channel) * p, p);
                            if (bias is null)
                            {
                                src.CopyTo(dst);
                            }
                            else
                            {
                                TensorPrimitives.Add(src, bias.AsSpan()[channel], dst);
                            }
                        }
                    });
                }
            }
        }
        finally
        {
            BufferPool.Return(prod);
            BufferPool.Return(cols);
        }
    }

    /// <summary>
    /// The gradients of the input (<paramref name="gx"/>, accumulated) and of the weights (<paramref name="gw"/>,
    /// accumulated), either may be null, from the output gradient <paramref name="g"/> [N, O, H', W'].
    /// </summary>
    internal static void Backward(Tensor x, Tensor weight, Tensor g, int groups, ConvGeometry geo, Tensor? gx, Tensor? gw)
    {
        int n = x.Dims[0], c = x.Dims[1], o = weight.Dims[0];
        int cg = geo.Channels, og = o / groups, p = geo.Positions, kk = geo.Patch, hw = geo.H * geo.W;
        if (IsDirect(geo, og))
        {
            DirectBackward(x, weight, g, groups, geo, gx, gw);
            return;
        }

        int chunk = ImagesPerChunk(geo, n);
        float[] cols = BufferPool.Rent(kk * chunk * p);
        float[] gOut = BufferPool.Rent(og * chunk * p);
        try
        {
            for (int b0 = 0; b0 < n; b0 += chunk)
            {
                int nb = Math.Min(chunk, n - b0), ld = nb * p, first = b0;
                for (int gi = 0; gi < groups; gi++)
                {
                    int group = gi;
                    CpuParallel.For(nb, i =>
                    {
                        ReadOnlySpan<float> gs = g.AsSpan();
                        for (int oc = 0; oc < og; oc++)
                        {
                            gs.Slice(((first + i) * o + group * og + oc) * p, p).CopyTo(gOut.AsSpan(oc * ld + i * p, p));
                        }
                    });
                    if (gw is not null)
                    {
                        CpuParallel.For(nb, i => Im2Col.Unfold(x.AsSpan().Slice(((first + i) * c + group * cg) * hw, cg * hw), geo, cols.AsSpan(i * p), ld));
                        Gemm.Multiply(false, true, og, kk, ld, gOut, ld, cols, ld, gw.AsSpan().Slice(gi * og * kk, og * kk), kk, accumulate: true);
                    }

                    if (gx is not null)
                    {
                        Gemm.Multiply(true, false, kk, ld, og, weight.AsSpan().Slice(gi * og * kk, og * kk), kk, gOut, ld, cols, ld, false);
                        CpuParallel.For(nb, i => Im2Col.Fold(cols.AsSpan(i * p), ld, geo, gx.AsSpan().Slice(((first + i) * c + group * cg) * hw, cg * hw)));
                    }
                }
            }
        }
        finally
        {
            BufferPool.Return(gOut);
            BufferPool.Return(cols);
        }
    }

    /// <summary>The direct stride-1 convolution of images [first, first + count).</summary>
    private static void DirectForward(Tensor x, Tensor weight, Tensor? bias, int groups, ConvGeometry geo, Tensor y, int first, int count)
    {
        int c = x.Dims[1], o = weight.Dims[0], og = o / groups, cg = geo.Channels, oh = geo.OutH, ow = geo.OutW, p = geo.Positions;
        ReadOnlySpan<float> xs = x.AsSpan(), ws = weight.AsSpan();
        Span<float> ys = y.AsSpan();
        for (int b = first; b < first + count; b++)
        {
            for (int oc = 0; oc < o; oc++)
            {
                Span<float> plane = ys.Slice((b * o + oc) * p, p);
                plane.Fill(bias is null ? 0f : bias.AsSpan()[oc]);
                int group = oc / og;
                for (int ic = 0; ic < cg; ic++)
                {
                    ReadOnlySpan<float> image = xs.Slice((b * c + group * cg + ic) * geo.H * geo.W, geo.H * geo.W);
                    for (int ki = 0; ki < geo.KH; ki++)
                    {
                        for (int kj = 0; kj < geo.KW; kj++)
                        {
                            float wv = ws[((oc * cg + ic) * geo.KH + ki) * geo.KW + kj];
                            (int j0, int j1) = DirectColumns(geo, kj);
                            for (int i = 0; i < oh && j0 < j1; i++)
                            {
                                int r = i - geo.PadH + ki;
                                if ((uint)r < (uint)geo.H)
                                {
                                    Span<float> dst = plane.Slice(i * ow + j0, j1 - j0);
                                    TensorPrimitives.MultiplyAdd(image.Slice(r * geo.W + j0 - geo.PadW + kj, j1 - j0), wv, dst, dst);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The gradients of the direct convolution: the input's by shifted rows of the output gradient times each weight,
    /// the weights' as dot products of output-gradient rows with shifted input rows, summed per core then added.
    /// </summary>
    private static void DirectBackward(Tensor x, Tensor weight, Tensor g, int groups, ConvGeometry geo, Tensor? gx, Tensor? gw)
    {
        int n = x.Dims[0], c = x.Dims[1], o = weight.Dims[0], og = o / groups, cg = geo.Channels, oh = geo.OutH, ow = geo.OutW, p = geo.Positions;
        int parts = Math.Clamp((int)Math.Min(n, (long)n * o * p * geo.Patch / (1 << 15)), 1, CpuParallel.Degree);
        float[][] partial = [.. Enumerable.Range(0, parts).Select(_ => gw is null ? [] : new float[weight.Length])];
        CpuParallel.For(parts, part =>
        {
            ReadOnlySpan<float> xs = x.AsSpan(), ws = weight.AsSpan(), gs = g.AsSpan();
            Span<float> gxs = gx is null ? default : gx.AsSpan();
            float[] gwPart = partial[part];
            for (int b = n * part / parts; b < n * (part + 1) / parts; b++)
            {
                for (int oc = 0; oc < o; oc++)
                {
                    ReadOnlySpan<float> gradPlane = gs.Slice((b * o + oc) * p, p);
                    int group = oc / og;
                    for (int ic = 0; ic < cg; ic++)
                    {
                        int imageOffset = (b * c + group * cg + ic) * geo.H * geo.W;
                        for (int ki = 0; ki < geo.KH; ki++)
                        {
                            for (int kj = 0; kj < geo.KW; kj++)
                            {
                                int wi = ((oc * cg + ic) * geo.KH + ki) * geo.KW + kj;
                                float wv = ws[wi];
                                (int j0, int j1) = DirectColumns(geo, kj);
                                float dot = 0f;
                                for (int i = 0; i < oh && j0 < j1; i++)
                                {
                                    int r = i - geo.PadH + ki;
                                    if ((uint)r >= (uint)geo.H)
                                    {
                                        continue;
                                    }

                                    ReadOnlySpan<float> gRow = gradPlane.Slice(i * ow + j0, j1 - j0);
                                    int at = imageOffset + r * geo.W + j0 - geo.PadW + kj;
                                    if (gw is not null)
                                    {
                                        dot += TensorPrimitives.Dot(gRow, xs.Slice(at, j1 - j0));
                                    }

                                    if (gx is not null)
                                    {
                                        Span<float> dst = gxs.Slice(at, j1 - j0);
                                        TensorPrimitives.MultiplyAdd(gRow, wv, dst, dst);
                                    }
                                }

                                if (gw is not null)
                                {
                                    gwPart[wi] += dot;
                                }
                            }
                        }
                    }
                }
            }
        });

        if (gw is not null)
        {
            foreach (float[] part in partial)
            {
                TensorPrimitives.Add(gw.AsSpan(), part, gw.AsSpan());
            }
        }
    }

    /// <summary>The output columns [j0, j1) of a stride-1 convolution whose input column j − padW + kj is inside the image.</summary>
    private static (int J0, int J1) DirectColumns(ConvGeometry geo, int kj)
    {
        int j0 = Math.Max(0, geo.PadW - kj), j1 = Math.Min(geo.OutW, geo.W + geo.PadW - kj);
        return (j0, Math.Max(j0, j1));
    }

    /// <summary>The bias gradient: the output gradient summed over images and positions, per channel.</summary>
    internal static Tensor BiasGradient(Tensor g, int o)
    {
        int n = g.Dims[0], p = g.Length / Math.Max(1, n * o);
        Tensor gb = Tensor.Zeros([o]);
        Span<float> gbs = gb.AsSpan();
        ReadOnlySpan<float> gs = g.AsSpan();
        for (int b = 0; b < n; b++)
        {
            for (int oc = 0; oc < o; oc++)
            {
                gbs[oc] += TensorPrimitives.Sum(gs.Slice((b * o + oc) * p, p));
            }
        }

        return gb;
    }
}
