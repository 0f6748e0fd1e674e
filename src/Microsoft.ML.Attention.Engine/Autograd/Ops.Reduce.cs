using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Autograd;

public static partial class Ops
{
    /// <summary>The sum of all elements, as a rank-0 tensor.</summary>
    public static Tensor Sum(this Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        Tensor y = Tensor.Scalar(TensorPrimitives.Sum<float>(x.AsSpan()));
        return Recording(x) ? Record(y, nameof(Sum), [x], g => [Tensor.Full(g.Item(), x.Dims)]) : y;
    }

    /// <summary>The mean of all elements, as a rank-0 tensor.</summary>
    public static Tensor Mean(this Tensor x) => x.Sum().Mul(1f / Math.Max(1, x.Length));

    /// <summary>Sums over dimension <paramref name="dim"/>, keeping it with size 1 when <paramref name="keepDim"/>.</summary>
    public static Tensor Sum(this Tensor x, int dim, bool keepDim = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        int d = ShapeMath.NormalizeDim(dim, x.Rank);
        (int outer, int size, int inner) = ShapeMath.Split(x.Dims, d);
        int[] keptShape = (int[])x.Dims.Clone();
        keptShape[d] = 1;
        Tensor y = Tensor.Zeros(keptShape);
        ReadOnlySpan<float> xs = x.AsSpan();
        Span<float> ys = y.AsSpan();
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                ys[o] = TensorPrimitives.Sum(xs.Slice(o * size, size));
            }
        }
        else
        {
            for (int o = 0; o < outer; o++)
            {
                Span<float> dst = ys.Slice(o * inner, inner);
                for (int s = 0; s < size; s++)
                {
                    TensorPrimitives.Add(dst, xs.Slice((o * size + s) * inner, inner), dst);
                }
            }
        }

        Tensor result = keepDim ? y : y.View(RemoveDim(x.Dims, d));
        if (!Recording(x))
        {
            return result;
        }

        return Record(result, "SumDim", [x], g => [TensorMath.Apply(TensorMath.Binary.Add, Tensor.Zeros(x.Dims), g.View(keptShape), "SumDim")]);
    }

    /// <summary>Averages over dimension <paramref name="dim"/>.</summary>
    public static Tensor Mean(this Tensor x, int dim, bool keepDim = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Sum(dim, keepDim).Mul(1f / Math.Max(1, x.Size(dim)));
    }

    /// <summary>The largest value along <paramref name="dim"/> and its index; gradients flow to the chosen elements.</summary>
    public static (Tensor Values, int[] Indices) Max(this Tensor x, int dim, bool keepDim = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        int d = ShapeMath.NormalizeDim(dim, x.Rank);
        (int outer, int size, int inner) = ShapeMath.Split(x.Dims, d);
        if (size == 0)
        {
            throw new ArgumentException($"Max: dimension {dim} of shape {ShapeMath.Format(x.Dims)} is empty.", nameof(dim));
        }

        int[] keptShape = (int[])x.Dims.Clone();
        keptShape[d] = 1;
        Tensor y = Tensor.Empty(keptShape);
        int[] idx = new int[outer * inner];
        ReadOnlySpan<float> xs = x.AsSpan();
        Span<float> ys = y.AsSpan();
        for (int o = 0; o < outer; o++)
        {
            if (inner == 1)
            {
                // The first largest value, or the first NaN (TensorPrimitives.IndexOfMax's rule and PyTorch's).
                int best = TensorPrimitives.IndexOfMax(xs.Slice(o * size, size));
                ys[o] = xs[o * size + best];
                idx[o] = best;
                continue;
            }

            // Row by row over the reduced dimension, so that the reads stay sequential.
            Span<float> bestValues = ys.Slice(o * inner, inner);
            Span<int> bestIndex = idx.AsSpan(o * inner, inner);
            xs.Slice(o * size * inner, inner).CopyTo(bestValues);
            bestIndex.Clear();
            for (int s = 1; s < size; s++)
            {
                ReadOnlySpan<float> row = xs.Slice((o * size + s) * inner, inner);
                for (int i = 0; i < inner; i++)
                {
                    float v = row[i], bv = bestValues[i];
                    if (v > bv || (float.IsNaN(v) && !float.IsNaN(bv)))
                    {
                        bestValues[i] = v;
                        bestIndex[i] = s;
                    }
                }
            }
        }

        Tensor result = keepDim ? y : y.View(RemoveDim(x.Dims, d));
        if (Recording(x))
        {
            Record(result, nameof(Max), [x], g =>
            {
                Tensor gx = Tensor.Zeros(x.Dims);
                Span<float> gs = gx.AsSpan();
                ReadOnlySpan<float> gv = g.AsSpan();
                for (int o = 0; o < outer; o++)
                {
                    for (int i = 0; i < inner; i++)
                    {
                        gs[(o * size + idx[o * inner + i]) * inner + i] = gv[o * inner + i];
                    }
                }

                return [gx];
            });
        }

        return (result, idx);
    }

    /// <summary>The index of the largest value along <paramref name="dim"/> (not differentiable).</summary>
    public static int[] ArgMax(this Tensor x, int dim = -1)
    {
        using (GradMode.NoGrad())
        {
            return x.Max(dim).Indices;
        }
    }

    /// <summary>
    /// The <paramref name="k"/> largest values along the last dimension in descending order, and their indices
    /// (not differentiable). Shapes: values [..., k]; indices flattened row-major over [..., k].
    /// </summary>
    public static (Tensor Values, int[] Indices) TopK(this Tensor x, int k)
    {
        ArgumentNullException.ThrowIfNull(x);
        int n = x.Size(-1);
        if (k < 1 || k > n)
        {
            throw new ArgumentOutOfRangeException(nameof(k), $"TopK: k must be in [1, {n}] for shape {ShapeMath.Format(x.Dims)}; got {k}.");
        }

        int rows = x.Length / n;
        int[] shape = (int[])x.Dims.Clone();
        shape[^1] = k;
        Tensor values = Tensor.Empty(shape);
        int[] indices = new int[rows * k];
        int[] order = new int[n];
        float[] keys = new float[n];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = x.AsSpan().Slice(r * n, n);
            for (int i = 0; i < n; i++)
            {
                order[i] = i;
                keys[i] = -row[i];
            }

            Array.Sort(keys, order);
            for (int j = 0; j < k; j++)
            {
                indices[r * k + j] = order[j];
                values.AsSpan()[r * k + j] = row[order[j]];
            }
        }

        return (values, indices);
    }

    private static int[] RemoveDim(int[] shape, int d)
    {
        var result = new int[shape.Length - 1];
        for (int i = 0, j = 0; i < shape.Length; i++)
        {
            if (i != d)
            {
                result[j++] = shape[i];
            }
        }

        return result;
    }
}
