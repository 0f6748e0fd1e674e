using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Autograd;

public static partial class Ops
{
    /// <summary>
    /// The sampling grid of 2-D affine transforms, as <c>torch.nn.functional.affine_grid</c>: theta [N, 2, 3] maps each
    /// output pixel's normalised (x, y, 1) to grid [N, H, W, 2] (x first), for an output of <paramref name="height"/> ×
    /// <paramref name="width"/>. With <paramref name="alignCorners"/> −1 and 1 are the corner pixels' centres;
    /// without, the image's edges (PyTorch's default).
    /// </summary>
    public static Tensor AffineGrid(this Tensor theta, int height, int width, bool alignCorners = false)
    {
        ArgumentNullException.ThrowIfNull(theta);
        if (theta.Rank != 3 || theta.Dims[1] != 2 || theta.Dims[2] != 3 || height < 1 || width < 1)
        {
            throw new ArgumentException($"AffineGrid expects theta [N, 2, 3] and a positive output size; got {ShapeMath.Format(theta.Dims)} and {height}×{width}.");
        }

        int n = theta.Dims[0];
        float[] xs = BaseCoordinates(width, alignCorners), ys = BaseCoordinates(height, alignCorners);
        Tensor grid = Tensor.Empty([n, height, width, 2]);
        ReadOnlySpan<float> t = theta.AsSpan();
        Span<float> gs = grid.AsSpan();
        for (int b = 0; b < n; b++)
        {
            ReadOnlySpan<float> a = t.Slice(b * 6, 6);
            for (int i = 0; i < height; i++)
            {
                for (int j = 0; j < width; j++)
                {
                    int o = ((b * height + i) * width + j) * 2;
                    gs[o] = a[0] * xs[j] + a[1] * ys[i] + a[2];
                    gs[o + 1] = a[3] * xs[j] + a[4] * ys[i] + a[5];
                }
            }
        }

        if (!Recording(theta))
        {
            return grid;
        }

        return Record(grid, nameof(AffineGrid), [theta], g =>
        {
            Tensor gt = Tensor.Zeros(theta.Dims);
            Span<float> gts = gt.AsSpan();
            ReadOnlySpan<float> gv = g.AsSpan();
            for (int b = 0; b < n; b++)
            {
                for (int i = 0; i < height; i++)
                {
                    for (int j = 0; j < width; j++)
                    {
                        int o = ((b * height + i) * width + j) * 2;
                        for (int r = 0; r < 2; r++)
                        {
                            float v = gv[o + r];
                            gts[b * 6 + r * 3] += v * xs[j];
                            gts[b * 6 + r * 3 + 1] += v * ys[i];
                            gts[b * 6 + r * 3 + 2] += v;
                        }
                    }
                }
            }

            return [gt];
        });
    }

    /// <summary>
    /// Bilinear sampling as <c>torch.nn.functional.grid_sample(mode="bilinear")</c>: x [N, C, H, W] read at grid
    /// [N, Ho, Wo, 2] (normalised x, y in [−1, 1]) gives [N, C, Ho, Wo]; gradients flow to both x and the grid.
    /// </summary>
    public static Tensor GridSample(this Tensor x, Tensor grid, GridPaddingMode padding = GridPaddingMode.Zeros, bool alignCorners = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(grid);
        if (x.Rank != 4 || grid.Rank != 4 || grid.Dims[3] != 2 || grid.Dims[0] != x.Dims[0])
        {
            throw new ArgumentException($"GridSample expects x [N, C, H, W] and grid [N, Ho, Wo, 2] with the same N; got {ShapeMath.Format(x.Dims)} and {ShapeMath.Format(grid.Dims)}.");
        }

        int n = x.Dims[0], c = x.Dims[1], h = x.Dims[2], w = x.Dims[3], ho = grid.Dims[1], wo = grid.Dims[2], points = ho * wo;
        bool border = padding == GridPaddingMode.Border;
        Tensor y = Tensor.Empty([n, c, ho, wo]);
        CpuParallel.For(n, b => GridSampler.Forward(x.AsSpan(), grid.AsSpan(), y.AsSpan(), b, c, h, w, points, alignCorners, border));
        if (!Recording(x, grid))
        {
            return y;
        }

        return Record(y, nameof(GridSample), [x, grid], g =>
        {
            Tensor? gx = x.RequiresGrad ? Tensor.Zeros(x.Dims) : null;
            Tensor? gg = grid.RequiresGrad ? Tensor.Zeros(grid.Dims) : null;
            CpuParallel.For(n, b => GridSampler.Backward(
                x.AsSpan(), grid.AsSpan(), g.AsSpan(), gx is null ? default : gx.AsSpan(), gg is null ? default : gg.AsSpan(),
                b, c, h, w, points, alignCorners, border));
            return [gx, gg];
        });
    }

    private static float[] BaseCoordinates(int size, bool alignCorners)
    {
        float[] v = new float[size];
        for (int i = 0; i < size; i++)
        {
            // PyTorch: 0 for a single pixel; otherwise linspace(−1, 1) (aligned), shrunk by (size − 1) / size (not).
            v[i] = size == 1 ? 0f : alignCorners ? -1f + 2f * i / (size - 1) : (2f * i + 1f) / size - 1f;
        }

        return v;
    }
}
