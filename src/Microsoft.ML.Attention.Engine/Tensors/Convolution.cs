using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// 2-D convolution by im2col and GEMM, spread over the cores by images: each core takes its own images (a block of a
/// few at a time when the images are small), unfolds them into a column matrix [C·kH·kW, images·H'·W'] that stays in
/// its cache, and multiplies it by the weights on its own, so that the cores never wait for each other inside a layer
/// and the output lands in place. Backward keeps the same split: the input gradient by the transposed product and a
/// fold per block, the weight gradient summed per slice of images and the slices' sums added in a fixed order, so the
/// result does not depend on how many cores run it.
/// </summary>
internal static class Convolution
{
    /// <summary>
    /// Output positions per product below which several images are unfolded side by side into one product, so that
    /// images of 7×7 or 4×4 still give the GEMM kernel a wide enough block.
    /// </summary>
    internal const int MinBlockPositions = 256;

    /// <summary>Most slices the images of a call are cut into (each with its own weight-gradient sum).</summary>
    internal const int MaxSlices = 8;

    /// <summary>
    /// Output channels per group up to which a stride-1 convolution is computed directly (shifted rows times a weight,
    /// added), rather than as a product whose few rows leave the GEMM kernel's registers mostly empty: CBAM's 7×7
    /// spatial convolution (2 → 1) and ECA's 1-D one (1 → 1) are 5–10× faster so.
    /// </summary>
    internal const int DirectMaxOutputChannels = 4;

    /// <summary>Whether <see cref="Forward"/> and <see cref="Backward"/> take the direct path for this shape.</summary>
    internal static bool IsDirect(ConvGeometry geo, int outputChannelsPerGroup) => geo.Stride == 1 && outputChannelsPerGroup <= DirectMaxOutputChannels;

    /// <summary>Images unfolded into one product.</summary>
    internal static int ImagesPerBlock(ConvGeometry geo, int images) =>
        Math.Clamp((MinBlockPositions + geo.Positions - 1) / Math.Max(1, geo.Positions), 1, Math.Max(1, images));

    /// <summary>The slices the images are cut into: [first image, end) of each, a whole number of blocks each, fixed by the shape alone.</summary>
    internal static (int First, int End)[] Slices(ConvGeometry geo, int images)
    {
        int block = ImagesPerBlock(geo, images), blocks = (images + block - 1) / block;
        int count = Math.Min(blocks, MaxSlices);
        var slices = new (int, int)[count];
        for (int s = 0; s < count; s++)
        {
            slices[s] = (blocks * s / count * block, Math.Min(images, blocks * (s + 1) / count * block));
        }

        return slices;
    }

    /// <summary>
    /// y [N, O, H', W'] = conv(x [N, C, H, W], weight [O, C/groups, kH, kW]) + bias, then max(·, 0) when
    /// <paramref name="relu"/> (inference: applied to each block while it is in cache).
    /// </summary>
    internal static void Forward(Tensor x, Tensor weight, Tensor? bias, int groups, ConvGeometry geo, Tensor y, bool relu = false)
    {
        int n = x.Dims[0], c = x.Dims[1], o = weight.Dims[0];
        int cg = geo.Channels, og = o / groups, p = geo.Positions, kk = geo.Patch, hw = geo.H * geo.W;
        if (IsDirect(geo, og))
        {
            CpuParallel.ForRanges(n, (first, count) =>
            {
                DirectForward(x, weight, bias, groups, geo, y, first, count);
                if (relu)
                {
                    Span<float> part = y.AsSpan().Slice(first * o * p, count * o * p);
                    TensorPrimitives.Max(part, 0f, part);
                }
            }, granule: 1, elementsPerItem: o * p * kk);
            return;
        }

        int block = ImagesPerBlock(geo, n);
        (int First, int End)[] slices = Slices(geo, n);
        CpuParallel.For(slices.Length, s =>
        {
            float[] cols = BufferPool.Rent(kk * block * p);
            float[] prod = block == 1 ? [] : BufferPool.Rent(og * block * p);
            try
            {
                ReadOnlySpan<float> xs = x.AsSpan(), ws = weight.AsSpan();
                Span<float> ys = y.AsSpan();
                for (int b0 = slices[s].First; b0 < slices[s].End; b0 += block)
                {
                    int nb = Math.Min(block, slices[s].End - b0), ld = nb * p;
                    for (int gi = 0; gi < groups; gi++)
                    {
                        for (int i = 0; i < nb; i++)
                        {
                            Im2Col.Unfold(xs.Slice(((b0 + i) * c + gi * cg) * hw, cg * hw), geo, cols.AsSpan(i * p), ld);
                        }

                        ReadOnlySpan<float> wg = ws.Slice(gi * og * kk, og * kk);

                        // One image: the product lands in place. Several: it is [og, nb·p], copied out image by image.
                        // Either way each output row then gets its bias and activation while it is in cache.
                        Gemm.Multiply(false, false, og, ld, kk, wg, kk, cols, ld, nb == 1 ? ys.Slice((b0 * o + gi * og) * p, og * p) : prod, ld, false);
                        for (int i = 0; i < nb; i++)
                        {
                            for (int oc = 0; oc < og; oc++)
                            {
                                Span<float> dst = ys.Slice(((b0 + i) * o + gi * og + oc) * p, p);
                                if (nb > 1)
                                {
                                    prod.AsSpan(oc * ld + i * p, p).CopyTo(dst);
                                }

                                if (bias is not null)
                                {
                                    TensorPrimitives.Add(dst, bias.AsSpan()[gi * og + oc], dst);
                                }

                                if (relu)
                                {
                                    TensorPrimitives.Max(dst, 0f, dst);
                                }
                            }
                        }
                    }
                }
            }
            finally
            {
                BufferPool.Return(prod);
                BufferPool.Return(cols);
            }
        });
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

        int block = ImagesPerBlock(geo, n);
        (int First, int End)[] slices = Slices(geo, n);
        float[][] partial = new float[slices.Length][];
        CpuParallel.For(slices.Length, s =>
        {
            float[] cols = BufferPool.Rent(kk * block * p);
            float[] gOut = block == 1 ? [] : BufferPool.Rent(og * block * p);
            float[] gwPart = gw is null ? [] : new float[weight.Length];
            partial[s] = gwPart;
            try
            {
                ReadOnlySpan<float> xs = x.AsSpan(), ws = weight.AsSpan(), gs = g.AsSpan();
                for (int b0 = slices[s].First; b0 < slices[s].End; b0 += block)
                {
                    int nb = Math.Min(block, slices[s].End - b0), ld = nb * p;
                    for (int gi = 0; gi < groups; gi++)
                    {
                        ReadOnlySpan<float> gBlock;
                        if (nb == 1)
                        {
                            gBlock = gs.Slice((b0 * o + gi * og) * p, og * p);
                        }
                        else
                        {
                            for (int i = 0; i < nb; i++)
                            {
                                for (int oc = 0; oc < og; oc++)
                                {
                                    gs.Slice(((b0 + i) * o + gi * og + oc) * p, p).CopyTo(gOut.AsSpan(oc * ld + i * p, p));
                                }
                            }

                            gBlock = gOut;
                        }

                        if (gw is not null)
                        {
                            for (int i = 0; i < nb; i++)
                            {
                                Im2Col.Unfold(xs.Slice(((b0 + i) * c + gi * cg) * hw, cg * hw), geo, cols.AsSpan(i * p), ld);
                            }

                            Gemm.Multiply(false, true, og, kk, ld, gBlock, ld, cols, ld, gwPart.AsSpan(gi * og * kk, og * kk), kk, accumulate: true);
                        }

                        if (gx is not null)
                        {
                            Gemm.Multiply(true, false, kk, ld, og, ws.Slice(gi * og * kk, og * kk), kk, gBlock, ld, cols, ld, false);
                            for (int i = 0; i < nb; i++)
                            {
                                Im2Col.Fold(cols.AsSpan(i * p), ld, geo, gx.AsSpan().Slice(((b0 + i) * c + gi * cg) * hw, cg * hw));
                            }
                        }
                    }
                }
            }
            finally
            {
                BufferPool.Return(gOut);
                BufferPool.Return(cols);
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
