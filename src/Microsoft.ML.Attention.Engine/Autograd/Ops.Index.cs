using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Rows of a [rows, ...] table picked by <paramref name="indices"/>: the output has shape
    /// [indices.Length, ...]. Gradients are scatter-added back; rows equal to <paramref name="paddingIndex"/> get none.
    /// </summary>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, rows).</exception>
    public static Tensor IndexSelect(this Tensor table, ReadOnlySpan<int> indices, int? paddingIndex = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        int rows = table.Dims[0];
        int width = rows == 0 ? 0 : table.Length / rows;
        int[] idx = indices.ToArray();
        for (int i = 0; i < idx.Length; i++)
        {
            if ((uint)idx[i] >= (uint)rows)
            {
                throw new IndexOutOfRangeException($"IndexSelect: index {idx[i]} at position {i} is out of range for a table of shape {ShapeMath.Format(table.Dims)} (valid: 0 to {rows - 1}).");
            }
        }

        int[] shape = (int[])table.Dims.Clone();
        shape[0] = idx.Length;
        Tensor y = Tensor.Empty(shape);
        ReadOnlySpan<float> src = table.AsSpan();
        Span<float> dst = y.AsSpan();
        for (int i = 0; i < idx.Length; i++)
        {
            src.Slice(idx[i] * width, width).CopyTo(dst.Slice(i * width, width));
        }

        if (!Recording(table))
        {
            return y;
        }

        return Record(y, nameof(IndexSelect), [table], (g, targets) =>
        {
            // Rows added straight into the gradient already gathered for the table (a parameter's, after ZeroGrad) when
            // there is one: an embedding table is large, and a zero table of its size plus a pass adding it cost far more
            // than the few rows a batch touches.
            Tensor? into = targets.Existing(0);
            Tensor gt = into ?? Tensor.Zeros(table.Dims);
            Span<float> gs = gt.AsSpan();
            ReadOnlySpan<float> gv = g.AsSpan();
            for (int i = 0; i < idx.Length; i++)
            {
                if (idx[i] == paddingIndex)
                {
                    continue;
                }

                Span<float> row = gs.Slice(idx[i] * width, width);
                System.Numerics.Tensors.TensorPrimitives.Add(row, gv.Slice(i * width, width), row);
            }

            return [into is null ? gt : GradientTargets.Added];
        });
    }

    /// <summary>
    /// PyTorch's <c>gather</c>: out[..., j, ...] = x[..., index[..., j, ...], ...] along <paramref name="dim"/>.
    /// <paramref name="indexShape"/> equals x's shape except at <paramref name="dim"/>.
    /// </summary>
    public static Tensor Gather(this Tensor x, int dim, ReadOnlySpan<int> index, int[] indexShape)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(indexShape);
        int d = ShapeMath.NormalizeDim(dim, x.Rank);
        if (indexShape.Length != x.Rank || ShapeMath.Count(indexShape) != index.Length ||
            Enumerable.Range(0, x.Rank).Any(i => i != d && indexShape[i] != x.Dims[i]))
        {
            throw new ArgumentException($"Gather: an index of shape {ShapeMath.Format(indexShape)} ({index.Length} values) does not match input shape {ShapeMath.Format(x.Dims)} outside dimension {d}.", nameof(indexShape));
        }

        (int outer, int size, int inner) = ShapeMath.Split(x.Dims, d);
        int k = indexShape[d];
        int[] idx = index.ToArray();
        Tensor y = Tensor.Empty(indexShape);
        ReadOnlySpan<float> src = x.AsSpan();
        Span<float> dst = y.AsSpan();
        for (int o = 0; o < outer; o++)
        {
            for (int j = 0; j < k; j++)
            {
                for (int i = 0; i < inner; i++)
                {
                    int p = (o * k + j) * inner + i;
                    int s = idx[p];
                    if ((uint)s >= (uint)size)
                    {
                        throw new IndexOutOfRangeException($"Gather: index {s} is out of range for dimension {d} of size {size} (input shape {ShapeMath.Format(x.Dims)}).");
                    }

                    dst[p] = src[(o * size + s) * inner + i];
                }
            }
        }

        if (!Recording(x))
        {
            return y;
        }

        return Record(y, nameof(Gather), [x], g =>
        {
            Tensor gx = Tensor.Zeros(x.Dims);
            Span<float> gs = gx.AsSpan();
            ReadOnlySpan<float> gv = g.AsSpan();
            for (int o = 0; o < outer; o++)
            {
                for (int j = 0; j < k; j++)
                {
                    for (int i = 0; i < inner; i++)
                    {
                        int p = (o * k + j) * inner + i;
                        gs[(o * size + idx[p]) * inner + i] += gv[p];
                    }
                }
            }

            return [gx];
        });
    }

    /// <summary>
    /// Replaces the elements where <paramref name="mask"/> is non-zero by <paramref name="value"/>; the mask broadcasts
    /// to x's shape. Replaced elements get no gradient.
    /// </summary>
    public static Tensor MaskedFill(this Tensor x, Tensor mask, float value)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(mask);
        int[] shape = ShapeMath.Broadcast(x.Dims, mask.Dims, nameof(MaskedFill));
        if (!ShapeMath.SameShape(shape, x.Dims))
        {
            throw new ArgumentException($"MaskedFill: a mask of shape {ShapeMath.Format(mask.Dims)} must broadcast to the input's shape {ShapeMath.Format(x.Dims)}.", nameof(mask));
        }

        // keep = 1 where mask == 0, broadcast to x's shape.
        Tensor keep = TensorMath.Apply(TensorMath.Binary.Add, Tensor.Zeros(x.Dims), mask, nameof(MaskedFill));
        Span<float> ks = keep.AsSpan();
        for (int i = 0; i < ks.Length; i++)
        {
            ks[i] = ks[i] != 0f ? 0f : 1f;
        }

        Tensor y = Tensor.Empty(x.Dims);
        ReadOnlySpan<float> xs = x.AsSpan();
        Span<float> ys = y.AsSpan();
        for (int i = 0; i < ys.Length; i++)
        {
            ys[i] = ks[i] != 0f ? xs[i] : value;
        }

        return Recording(x) ? Record(y, nameof(MaskedFill), [x], g => [Product(g, keep)]) : y;
    }
}
