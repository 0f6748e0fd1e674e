using Microsoft.ML.Attention.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Layer normalization over the last dimension, fused: (x - mean) / sqrt(var + eps) · weight + bias, with the
    /// biased variance as in <c>torch.nn.functional.layer_norm</c>.
    /// </summary>
    public static Tensor LayerNorm(this Tensor x, Tensor? weight, Tensor? bias, float eps = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(x);
        int n = x.Dims[^1];
        if ((weight is not null && weight.Length != n) || (bias is not null && bias.Length != n))
        {
            throw new ArgumentException($"LayerNorm: weight/bias must have {n} elements for input shape {ShapeMath.Format(x.Dims)}.");
        }

        int rows = n == 0 ? 0 : x.Length / n;
        int granule = Math.Max(1, 4096 / Math.Max(1, n));
        Tensor y = Tensor.Empty(x.Dims);
        bool record = GradMode.IsEnabled && (x.RequiresGrad || (weight?.RequiresGrad ?? false) || (bias?.RequiresGrad ?? false));
        if (!record)
        {
            // Nothing kept for backward: each row normalized in one fused kernel.
            CpuParallel.ForRanges(rows, (first, count) =>
                LayerNormKernel.Forward(x.AsSpan(), weight is null ? default : weight.AsSpan(), bias is null ? default : bias.AsSpan(), eps, n, y.AsSpan(), first, count), granule, elementsPerItem: n);
            return y;
        }

        Tensor xhat = Tensor.Empty(x.Dims);
        float[] rstd = new float[rows];
        CpuParallel.ForRanges(rows, (first, count) => LayerNormRows(x, weight, bias, eps, n, y, xhat, rstd, first, count), granule, elementsPerItem: n);

        Tensor[] inputs = [x, .. weight is null ? Array.Empty<Tensor>() : [weight], .. bias is null ? Array.Empty<Tensor>() : [bias]];
        return Record(y, nameof(LayerNorm), inputs, g =>
        {
            var grads = new Tensor?[inputs.Length];
            Tensor? gw = weight is not null && weight.RequiresGrad ? Tensor.Zeros([n]) : null;
            Tensor? gb = bias is not null && bias.RequiresGrad ? Tensor.Zeros([n]) : null;
            Tensor? gx = x.RequiresGrad ? Tensor.Empty(x.Dims) : null;

            // Rows in pieces fixed by the size alone (not the core count); each piece sums its own weight/bias
            // gradients, added in piece order, so results do not depend on the machine.
            int pieces = (int)Math.Clamp((long)rows * n / (1 << 15), 1, Math.Min(8, Math.Max(1, rows)));
            var partW = new float[gw is null ? 0 : pieces * n];
            var partB = new float[gb is null ? 0 : pieces * n];
            CpuParallel.For(pieces, piece =>
            {
                int first = (int)((long)rows * piece / pieces), end = (int)((long)rows * (piece + 1) / pieces);
                LayerNormBackwardRows(g, xhat, weight, rstd, n, first, end, gx, gw is null ? default : partW.AsSpan(piece * n, n), gb is null ? default : partB.AsSpan(piece * n, n));
            });
            for (int piece = 0; piece < pieces; piece++)
            {
                if (gw is not null)
                {
                    TensorPrimitives.Add(gw.AsSpan(), partW.AsSpan(piece * n, n), gw.AsSpan());
                }

                if (gb is not null)
                {
                    TensorPrimitives.Add(gb.AsSpan(), partB.AsSpan(piece * n, n), gb.AsSpan());
                }
            }

            int k = 0;
            grads[k++] = gx;
            if (weight is not null)
            {
                grads[k++] = gw;
            }

            if (bias is not null)
            {
                grads[k] = gb;
            }

            return grads;
        });
    }

    private static void LayerNormRows(Tensor x, Tensor? weight, Tensor? bias, float eps, int n, Tensor y, Tensor xhat, float[] rstd, int first, int count)
    {
        ReadOnlySpan<float> xs = x.AsSpan();
        for (int r = first; r < first + count; r++)
        {
            ReadOnlySpan<float> xr = xs.Slice(r * n, n);
            Span<float> hr = xhat.AsSpan().Slice(r * n, n);
            float mean = TensorPrimitives.Sum(xr) / n;
            TensorPrimitives.Subtract(xr, mean, hr);
            float var = TensorPrimitives.Dot(hr, hr) / n;
            rstd[r] = 1f / MathF.Sqrt(var + eps);
            TensorPrimitives.Multiply(hr, rstd[r], hr);
            Span<float> yr = y.AsSpan().Slice(r * n, n);
            if (weight is not null)
            {
                TensorPrimitives.Multiply(hr, weight.AsSpan(), yr);
            }
            else
            {
                hr.CopyTo(yr);
            }

            if (bias is not null)
            {
                TensorPrimitives.Add(yr, bias.AsSpan(), yr);
            }
        }
    }

    private static void LayerNormBackwardRows(Tensor g, Tensor xhat, Tensor? weight, float[] rstd, int n, int first, int end, Tensor? gx, Span<float> gws, Span<float> gbs)
    {
        ReadOnlySpan<float> gs = g.AsSpan();
        ReadOnlySpan<float> hs = xhat.AsSpan();
        Span<float> gh = n <= 1024 ? stackalloc float[n] : new float[n];
        for (int r = first; r < end; r++)
        {
            ReadOnlySpan<float> gr = gs.Slice(r * n, n);
            ReadOnlySpan<float> hr = hs.Slice(r * n, n);
            if (!gws.IsEmpty)
            {
                TensorPrimitives.FusedMultiplyAdd(gr, hr, gws, gws);
            }

            if (!gbs.IsEmpty)
            {
                TensorPrimitives.Add(gbs, gr, gbs);
            }

            if (gx is not null)
            {
                // gx = rstd * (gh - mean(gh) - xhat * mean(gh * xhat)), gh = g * weight
                if (weight is not null)
                {
                    TensorPrimitives.Multiply(gr, weight.AsSpan(), gh);
                }
                else
                {
                    gr.CopyTo(gh);
                }

                float meanG = TensorPrimitives.Sum<float>(gh) / n;
                float meanGH = TensorPrimitives.Dot(gh, hr) / n;
                Span<float> gxr = gx.AsSpan().Slice(r * n, n);
                TensorPrimitives.Multiply(hr, -meanGH, gxr);
                TensorPrimitives.Add(gxr, gh, gxr);
                TensorPrimitives.Subtract(gxr, meanG, gxr);
                TensorPrimitives.Multiply(gxr, rstd[r], gxr);
            }
        }
    }

    /// <summary>
    /// Batch normalization over dimension 1 of x [N, C, ...]. In training it normalizes with the batch statistics
    /// (biased variance) and updates the running statistics in place with <paramref name="momentum"/> (unbiased
    /// variance), as PyTorch does; otherwise it uses the running statistics.
    /// </summary>
    public static Tensor BatchNorm(this Tensor x, Tensor runningMean, Tensor runningVar, Tensor? weight, Tensor? bias, bool training, float momentum = 0.1f, float eps = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(runningMean);
        ArgumentNullException.ThrowIfNull(runningVar);
        if (x.Rank < 2)
        {
            throw new ArgumentException($"BatchNorm expects input [N, C, ...]; got shape {ShapeMath.Format(x.Dims)}.", nameof(x));
        }

        int c = x.Dims[1];
        if (runningMean.Length != c || runningVar.Length != c || (weight is not null && weight.Length != c) || (bias is not null && bias.Length != c))
        {
            throw new ArgumentException($"BatchNorm: {c} channels in input of shape {ShapeMath.Format(x.Dims)}, but the statistics or affine parameters have another size.");
        }

        int nb = x.Dims[0];
        int spatial = x.Length / Math.Max(1, nb * c);
        int m = nb * spatial;
        if (training && m <= 1)
        {
            throw new ArgumentException($"BatchNorm: expected more than 1 value per channel when training; got input of shape {ShapeMath.Format(x.Dims)}.", nameof(x));
        }

        float[] mean = new float[c], rstd = new float[c];
        Tensor y = Tensor.Empty(x.Dims);
        Tensor xhat = Tensor.Empty(x.Dims);

        // Channels are independent: each core takes whole channels (their values lie in nb segments of the input).
        CpuParallel.ForRanges(c, (first, count) =>
        {
            ReadOnlySpan<float> xs = x.AsSpan();
            Span<float> rm = runningMean.AsSpan(), rv = runningVar.AsSpan();
            for (int ch = first; ch < first + count; ch++)
            {
                if (training)
                {
                    double s = 0, s2 = 0;
                    for (int b = 0; b < nb; b++)
                    {
                        s += TensorPrimitives.Sum(xs.Slice((b * c + ch) * spatial, spatial));
                    }

                    double mu = s / m;
                    Span<float> centred = xhat.AsSpan();
                    for (int b = 0; b < nb; b++)
                    {
                        int off = (b * c + ch) * spatial;
                        Span<float> seg = centred.Slice(off, spatial);
                        TensorPrimitives.Subtract(xs.Slice(off, spatial), (float)mu, seg);
                        s2 += TensorPrimitives.SumOfSquares<float>(seg);
                    }

                    double var = s2 / m;
                    mean[ch] = (float)mu;
                    rstd[ch] = (float)(1.0 / Math.Sqrt(var + eps));
                    rm[ch] = (1 - momentum) * rm[ch] + momentum * (float)mu;
                    rv[ch] = (1 - momentum) * rv[ch] + momentum * (float)(s2 / (m - 1));
                }
                else
                {
                    mean[ch] = rm[ch];
                    rstd[ch] = 1f / MathF.Sqrt(rv[ch] + eps);
                }

                float w = weight?.AsSpan()[ch] ?? 1f, bb = bias?.AsSpan()[ch] ?? 0f;
                for (int b = 0; b < nb; b++)
                {
                    int off = (b * c + ch) * spatial;
                    Span<float> h = xhat.AsSpan().Slice(off, spatial);
                    if (training)
                    {
                        TensorPrimitives.Multiply(h, rstd[ch], h);
                    }
                    else
                    {
                        TensorPrimitives.Subtract(xs.Slice(off, spatial), mean[ch], h);
                        TensorPrimitives.Multiply(h, rstd[ch], h);
                    }

                    Span<float> yo = y.AsSpan().Slice(off, spatial);
                    TensorPrimitives.Multiply(h, w, yo);
                    TensorPrimitives.Add(yo, bb, yo);
                }
            }
        }, granule: 1, elementsPerItem: nb * spatial);

        bool record = GradMode.IsEnabled && (x.RequiresGrad || (weight?.RequiresGrad ?? false) || (bias?.RequiresGrad ?? false));
        if (!record)
        {
            return y;
        }

        Tensor[] inputs = [x, .. weight is null ? Array.Empty<Tensor>() : [weight], .. bias is null ? Array.Empty<Tensor>() : [bias]];
        return Record(y, nameof(BatchNorm), inputs, g =>
        {
            float[] sumG = new float[c], sumGH = new float[c];
            Tensor? gx = x.RequiresGrad ? Tensor.Empty(x.Dims) : null;
            CpuParallel.ForRanges(c, (first, count) =>
            {
                ReadOnlySpan<float> gs = g.AsSpan(), hs = xhat.AsSpan();
                for (int ch = first; ch < first + count; ch++)
                {
                    for (int b = 0; b < nb; b++)
                    {
                        int off = (b * c + ch) * spatial;
                        sumG[ch] += TensorPrimitives.Sum(gs.Slice(off, spatial));
                        sumGH[ch] += TensorPrimitives.Dot(gs.Slice(off, spatial), hs.Slice(off, spatial));
                    }

                    if (gx is null)
                    {
                        continue;
                    }

                    float w = weight?.AsSpan()[ch] ?? 1f;
                    for (int b = 0; b < nb; b++)
                    {
                        int off = (b * c + ch) * spatial;
                        Span<float> gxs = gx.AsSpan().Slice(off, spatial);
                        if (training)
                        {
                            // gx = w·rstd/m · (m·g − Σg − x̂·Σ(g·x̂))
                            float scale = w * rstd[ch] / m;
                            TensorPrimitives.Multiply(hs.Slice(off, spatial), -sumGH[ch], gxs);
                            TensorPrimitives.MultiplyAdd(gs.Slice(off, spatial), (float)m, gxs, gxs);
                            TensorPrimitives.Subtract(gxs, sumG[ch], gxs);
                            TensorPrimitives.Multiply(gxs, scale, gxs);
                        }
                        else
                        {
                            TensorPrimitives.Multiply(gs.Slice(off, spatial), w * rstd[ch], gxs);
                        }
                    }
                }
            }, granule: 1, elementsPerItem: nb * spatial * 2);

            var grads = new Tensor?[inputs.Length];
            int k = 0;
            grads[k++] = gx;
            if (weight is not null)
            {
                grads[k++] = weight.RequiresGrad ? Tensor.FromArray(sumGH, [c]) : null;
            }

            if (bias is not null)
            {
                grads[k] = bias.RequiresGrad ? Tensor.FromArray(sumG, [c]) : null;
            }

            return grads;
        });
    }
}
