using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Autograd;

public static partial class Ops
{
    /// <summary>
    /// 2-D convolution (cross-correlation) as <c>torch.nn.functional.conv2d</c>: x [N, C, H, W],
    /// weight [O, C/groups, kH, kW], bias [O]; output [N, O, H', W'] with H' = (H + 2·padding − kH) / stride + 1.
    /// Computed as im2col and one GEMM per chunk of images and group (<see cref="Convolution"/>).
    /// </summary>
    public static Tensor Conv2d(this Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int groups = 1) =>
        Conv2d(x, weight, bias, stride, padding, groups, relu: false);

    private static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, int stride, int padding, int groups, bool relu)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        if (x.Rank != 4 || weight.Rank != 4)
        {
            throw new ArgumentException($"Conv2d expects input [N, C, H, W] and weight [O, C/groups, kH, kW]; got {ShapeMath.Format(x.Dims)} and {ShapeMath.Format(weight.Dims)}.");
        }

        return ConvCore(x, weight, bias, stride, padding, padding, groups, nameof(Conv2d), relu);
    }

    /// <summary>
    /// 1-D convolution as <c>torch.nn.functional.conv1d</c>: x [N, C, L], weight [O, C/groups, k], bias [O]; output
    /// [N, O, L'] with L' = (L + 2·padding − k) / stride + 1.
    /// </summary>
    public static Tensor Conv1d(this Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int groups = 1)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        if (x.Rank != 3 || weight.Rank != 3)
        {
            throw new ArgumentException($"Conv1d expects input [N, C, L] and weight [O, C/groups, k]; got {ShapeMath.Format(x.Dims)} and {ShapeMath.Format(weight.Dims)}.");
        }

        Tensor y = ConvCore(
            x.Reshape(x.Dims[0], x.Dims[1], 1, x.Dims[2]),
            weight.Reshape(weight.Dims[0], weight.Dims[1], 1, weight.Dims[2]),
            bias, stride, 0, padding, groups, nameof(Conv1d));
        return y.Reshape(y.Dims[0], y.Dims[1], y.Dims[3]);
    }

    /// <summary>
    /// relu(conv2d(x, weight, bias)) without a tape, the activation applied as each output block is written: the
    /// inference path of a convolution block whose normalization has been folded into its weights. Refused while a
    /// gradient would be recorded.
    /// </summary>
    internal static Tensor Conv2dReluForInference(this Tensor x, Tensor weight, Tensor? bias, int stride, int padding, int groups)
    {
        if (GradMode.IsEnabled && (x.RequiresGrad || weight.RequiresGrad || (bias?.RequiresGrad ?? false)))
        {
            throw new InvalidOperationException("Conv2dReluForInference records no gradient; call it under GradMode.NoGrad() or on tensors that do not require one.");
        }

        return Conv2d(x, weight, bias, stride, padding, groups, relu: true);
    }

    private static Tensor ConvCore(Tensor x, Tensor weight, Tensor? bias, int stride, int padH, int padW, int groups, string name, bool relu = false)
    {
        int n = x.Dims[0], c = x.Dims[1], h = x.Dims[2], w = x.Dims[3];
        int o = weight.Dims[0], cg = weight.Dims[1], kh = weight.Dims[2], kw = weight.Dims[3];
        if (stride < 1 || padH < 0 || padW < 0 || groups < 1 || c % groups != 0 || o % groups != 0 || cg != c / groups)
        {
            throw new ArgumentException($"{name}: input of shape {ShapeMath.Format(x.Dims)} with {groups} group(s) needs weight [O, {c / Math.Max(groups, 1)}, kH, kW] with O divisible by groups; got {ShapeMath.Format(weight.Dims)}, stride {stride}, padding {Math.Max(padH, padW)}.");
        }

        if (bias is not null && bias.Length != o)
        {
            throw new ArgumentException($"{name}: bias of shape {ShapeMath.Format(bias.Dims)} does not match {o} output channels.", nameof(bias));
        }

        var geo = new ConvGeometry(cg, h, w, kh, kw, stride, padH, padW);
        if (geo.OutH <= 0 || geo.OutW <= 0)
        {
            throw new ArgumentException($"{name}: a {kh}×{kw} kernel with padding {Math.Max(padH, padW)} does not fit input of shape {ShapeMath.Format(x.Dims)}.");
        }

        Tensor y = Tensor.Empty([n, o, geo.OutH, geo.OutW]);
        Convolution.Forward(x, weight, bias, groups, geo, y, relu);
        bool record = GradMode.IsEnabled && (x.RequiresGrad || weight.RequiresGrad || (bias?.RequiresGrad ?? false));
        if (!record)
        {
            return y;
        }

        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        return Record(y, name, inputs, g =>
        {
            Tensor? gx = x.RequiresGrad ? Tensor.Zeros(x.Dims) : null;
            Tensor? gw = weight.RequiresGrad ? Tensor.Zeros(weight.Dims) : null;
            Convolution.Backward(x, weight, g, groups, geo, gx, gw);
            Tensor? gb = bias is not null && bias.RequiresGrad ? Convolution.BiasGradient(g, o) : null;
            return bias is null ? [gx, gw] : [gx, gw, gb];
        });
    }

    /// <summary>2-D max pooling over x [N, C, H, W] (padding pads with -∞, as PyTorch).</summary>
    public static Tensor MaxPool2d(this Tensor x, int kernelSize, int? stride = null, int padding = 0) =>
        Pool2d(x, kernelSize, stride ?? kernelSize, padding, max: true, nameof(MaxPool2d));

    /// <summary>2-D average pooling over x [N, C, H, W]; padded zeros count in the average (PyTorch's <c>count_include_pad=True</c>).</summary>
    public static Tensor AvgPool2d(this Tensor x, int kernelSize, int? stride = null, int padding = 0) =>
        Pool2d(x, kernelSize, stride ?? kernelSize, padding, max: false, nameof(AvgPool2d));

    private static Tensor Pool2d(Tensor x, int k, int stride, int padding, bool max, string name)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4 || k < 1 || stride < 1 || padding < 0 || padding > k / 2)
        {
            throw new ArgumentException($"{name} expects input [N, C, H, W], kernel ≥ 1, stride ≥ 1 and padding ≤ kernel/2; got shape {ShapeMath.Format(x.Dims)}, kernel {k}, stride {stride}, padding {padding}.");
        }

        int planes = x.Dims[0] * x.Dims[1], h = x.Dims[2], w = x.Dims[3];
        int oh = (h + 2 * padding - k) / stride + 1, ow = (w + 2 * padding - k) / stride + 1;
        if (oh <= 0 || ow <= 0)
        {
            throw new ArgumentException($"{name}: kernel {k} does not fit input of shape {ShapeMath.Format(x.Dims)}.");
        }

        Tensor y = Tensor.Empty([x.Dims[0], x.Dims[1], oh, ow]);
        bool twoByTwo = max && k == 2 && stride == 2 && padding == 0;
        int[]? argmax = max && !twoByTwo ? new int[y.Length] : null;
        float inv = 1f / (k * k);
        CpuParallel.ForRanges(planes, (first, count) =>
        {
            ReadOnlySpan<float> xs = x.AsSpan();
            Span<float> ys = y.AsSpan();
            for (int pl = first; pl < first + count; pl++)
            {
                if (twoByTwo)
                {
                    MaxPool2x2(xs.Slice(pl * h * w, h * w), w, oh, ow, ys.Slice(pl * oh * ow, oh * ow));
                    continue;
                }

                PoolPlane(xs, ys, argmax, pl, h, w, oh, ow, k, stride, padding, max, inv);
            }
        }, granule: 1, elementsPerItem: oh * ow * k * k);

        if (!Recording(x))
        {
            return y;
        }

        return Record(y, name, [x], g =>
        {
            Tensor gx = Tensor.Zeros(x.Dims);
            Span<float> gs = gx.AsSpan();
            ReadOnlySpan<float> gv = g.AsSpan();
            if (twoByTwo)
            {
                CpuParallel.ForRanges(planes, (first, count) =>
                {
                    for (int pl = first; pl < first + count; pl++)
                    {
                        MaxPool2x2Backward(x.AsSpan().Slice(pl * h * w, h * w), w, oh, ow, g.AsSpan().Slice(pl * oh * ow, oh * ow), gx.AsSpan().Slice(pl * h * w, h * w));
                    }
                }, granule: 1, elementsPerItem: oh * ow * 4);
                return [gx];
            }

            if (argmax is not null)
            {
                // Each plane's winners lie in that plane, so planes scatter in parallel.
                CpuParallel.ForRanges(planes, (first, count) =>
                {
                    Span<float> gsp = gx.AsSpan();
                    ReadOnlySpan<float> gvp = g.AsSpan();
                    for (int oi = first * oh * ow; oi < (first + count) * oh * ow; oi++)
                    {
                        gsp[argmax[oi]] += gvp[oi];
                    }
                }, granule: 1, elementsPerItem: oh * ow);
                return [gx];
            }

            for (int pl = 0; pl < planes; pl++)
            {
                for (int i = 0; i < oh; i++)
                {
                    for (int j = 0; j < ow; j++)
                    {
                        float v = gv[(pl * oh + i) * ow + j] * inv;
                        for (int di = 0; di < k; di++)
                        {
                            int r = i * stride - padding + di;
                            for (int dj = 0; dj < k && (uint)r < (uint)h; dj++)
                            {
                                int cc = j * stride - padding + dj;
                                if ((uint)cc < (uint)w)
                                {
                                    gs[(pl * h + r) * w + cc] += v;
                                }
                            }
                        }
                    }
                }
            }

            return [gx];
        });
    }

    /// <summary>
    /// 2×2 max pooling with stride 2 of one plane, values only (NaN propagates, as PyTorch): the larger of the two rows
    /// elementwise, then of each column pair.
    /// </summary>
    private static void MaxPool2x2(ReadOnlySpan<float> plane, int w, int oh, int ow, Span<float> y)
    {
        Span<float> rows = w <= 1024 ? stackalloc float[w] : new float[w];
        for (int i = 0; i < oh; i++)
        {
            TensorPrimitives.Max(plane.Slice(2 * i * w, w), plane.Slice((2 * i + 1) * w, w), rows);
            Span<float> dst = y.Slice(i * ow, ow);
            for (int j = 0; j < dst.Length; j++)
            {
                dst[j] = MathF.Max(rows[2 * j], rows[2 * j + 1]);
            }
        }
    }

    /// <summary>
    /// The gradient of <see cref="MaxPool2x2"/>: each window's gradient goes to its first largest element, or to its
    /// last NaN (PyTorch's choice), found again from the input rather than kept from the forward pass.
    /// </summary>
    private static void MaxPool2x2Backward(ReadOnlySpan<float> plane, int w, int oh, int ow, ReadOnlySpan<float> g, Span<float> gx)
    {
        for (int i = 0; i < oh; i++)
        {
            int top = 2 * i * w, bottom = top + w;
            for (int j = 0; j < ow; j++)
            {
                int c = 2 * j, best = top + c;
                float v = plane[best];
                if (plane[top + c + 1] > v || float.IsNaN(plane[top + c + 1]))
                {
                    best = top + c + 1;
                    v = plane[best];
                }

                if (plane[bottom + c] > v || float.IsNaN(plane[bottom + c]))
                {
                    best = bottom + c;
                    v = plane[best];
                }

                if (plane[bottom + c + 1] > v || float.IsNaN(plane[bottom + c + 1]))
                {
                    best = bottom + c + 1;
                }

                gx[best] += g[i * ow + j];
            }
        }
    }

    private static void PoolPlane(ReadOnlySpan<float> xs, Span<float> ys, int[]? argmax, int pl, int h, int w, int oh, int ow, int k, int stride, int padding, bool max, float inv)
    {
        for (int i = 0; i < oh; i++)
        {
            for (int j = 0; j < ow; j++)
            {
                float acc = max ? float.NegativeInfinity : 0f;
                int best = -1;
                for (int di = 0; di < k; di++)
                {
                    int r = i * stride - padding + di;
                    if ((uint)r >= (uint)h)
                    {
                        continue;
                    }

                    for (int dj = 0; dj < k; dj++)
                    {
                        int cc = j * stride - padding + dj;
                        if ((uint)cc >= (uint)w)
                        {
                            continue;
                        }

                        int idx = (pl * h + r) * w + cc;
                        float v = xs[idx];
                        if (max)
                        {
                            if (v > acc || best < 0 || float.IsNaN(v))
                            {
                                acc = v;
                                best = idx;
                            }
                        }
                        else
                        {
                            acc += v;
                        }
                    }
                }

                int oi = (pl * oh + i) * ow + j;
                ys[oi] = max ? acc : acc * inv;
                if (argmax is not null)
                {
                    argmax[oi] = best;
                }
            }
        }
    }

    /// <summary>
    /// Adaptive average pooling of x [N, C, H, W] to [N, C, outH, outW]: cell (i, j) averages rows
    /// [⌊i·H/outH⌋, ⌈(i+1)·H/outH⌉) and likewise columns, as PyTorch. (1, 1) is global average pooling.
    /// </summary>
    public static Tensor AdaptiveAvgPool2d(this Tensor x, int outH, int outW)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4 || outH < 1 || outW < 1)
        {
            throw new ArgumentException($"AdaptiveAvgPool2d expects input [N, C, H, W] and a positive output size; got {ShapeMath.Format(x.Dims)} → ({outH}, {outW}).");
        }

        int planes = x.Dims[0] * x.Dims[1], h = x.Dims[2], w = x.Dims[3];
        Tensor y = Tensor.Empty([x.Dims[0], x.Dims[1], outH, outW]);
        ReadOnlySpan<float> xs = x.AsSpan();
        Span<float> ys = y.AsSpan();
        for (int pl = 0; pl < planes; pl++)
        {
            for (int i = 0; i < outH; i++)
            {
                int r0 = i * h / outH, r1 = ((i + 1) * h + outH - 1) / outH;
                for (int j = 0; j < outW; j++)
                {
                    int c0 = j * w / outW, c1 = ((j + 1) * w + outW - 1) / outW;
                    float acc = 0f;
                    for (int r = r0; r < r1; r++)
                    {
                        acc += System.Numerics.Tensors.TensorPrimitives.Sum(xs.Slice((pl * h + r) * w + c0, c1 - c0));
                    }

                    ys[(pl * outH + i) * outW + j] = acc / ((r1 - r0) * (c1 - c0));
                }
            }
        }

        if (!Recording(x))
        {
            return y;
        }

        return Record(y, nameof(AdaptiveAvgPool2d), [x], g =>
        {
            Tensor gx = Tensor.Zeros(x.Dims);
            Span<float> gs = gx.AsSpan();
            ReadOnlySpan<float> gv = g.AsSpan();
            for (int pl = 0; pl < planes; pl++)
            {
                for (int i = 0; i < outH; i++)
                {
                    int r0 = i * h / outH, r1 = ((i + 1) * h + outH - 1) / outH;
                    for (int j = 0; j < outW; j++)
                    {
                        int c0 = j * w / outW, c1 = ((j + 1) * w + outW - 1) / outW;
                        float v = gv[(pl * outH + i) * outW + j] / ((r1 - r0) * (c1 - c0));
                        for (int r = r0; r < r1; r++)
                        {
                            Span<float> seg = gs.Slice((pl * h + r) * w + c0, c1 - c0);
                            System.Numerics.Tensors.TensorPrimitives.Add(seg, v, seg);
                        }
                    }
                }
            }

            return [gx];
        });
    }
}
