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

    internal static int ImagesPerChunk(ConvGeometry geo, int images) =>
        Math.Clamp(MaxColumnFloats / Math.Max(1, geo.Patch * geo.Positions), 1, Math.Max(1, images));

    /// <summary>y [N, O, H', W'] = conv(x [N, C, H, W], weight [O, C/groups, kH, kW]) + bias.</summary>
    internal static void Forward(Tensor x, Tensor weight, Tensor? bias, int groups, ConvGeometry geo, Tensor y)
    {
        int n = x.Dims[0], c = x.Dims[1], o = weight.Dims[0];
        int cg = geo.Channels, og = o / groups, p = geo.Positions, kk = geo.Patch, hw = geo.H * geo.W;
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
