using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// Raw, non-recording tensor arithmetic used by the operations and optimizers: broadcasting elementwise loops,
/// reduction of a broadcast gradient back to an input's shape, and in-place accumulation.
/// </summary>
internal static class TensorMath
{
    internal enum Binary
    {
        Add,
        Subtract,
        Multiply,
        Divide,
    }

    /// <summary>target += source (same shape).</summary>
    internal static void AddInPlace(Tensor target, Tensor source)
    {
        if (target.Length != source.Length)
        {
            throw new ArgumentException($"Cannot accumulate a tensor of shape {ShapeMath.Format(source.Dims)} into one of shape {ShapeMath.Format(target.Dims)}.");
        }

        // Elementwise, so the split over cores does not change a bit of the result (gradients of large activations).
        CpuParallel.ForRanges(target.Length, (start, count) =>
        {
            Span<float> t = target.AsSpan().Slice(start, count);
            TensorPrimitives.Add(t, source.AsSpan().Slice(start, count), t);
        });
    }

    /// <summary>
    /// For every block o &lt; <paramref name="blocks"/>: dst[o·dstStride + dstOffset + j] = (or +=, with
    /// <paramref name="add"/>) src[o·srcStride + srcOffset + j], j &lt; <paramref name="width"/>; the blocks spread over the
    /// cores when there are enough elements (each element stands alone, so the split changes no bit). The strided copy
    /// behind narrowing, concatenation and their gradients.
    /// </summary>
    internal static unsafe void CopyBlocks(ReadOnlySpan<float> src, int srcStride, int srcOffset, Span<float> dst, int dstStride, int dstOffset, int width, int blocks, bool add = false)
    {
        if (blocks <= 0 || width <= 0)
        {
            return;
        }

        if (srcOffset < 0 || dstOffset < 0 || (long)(blocks - 1) * srcStride + srcOffset + width > src.Length || (long)(blocks - 1) * dstStride + dstOffset + width > dst.Length)
        {
            throw new ArgumentException($"Block copy: {blocks} blocks of {width} (strides {srcStride} → {dstStride}, offsets {srcOffset} → {dstOffset}) do not fit in {src.Length} → {dst.Length} elements.");
        }

        fixed (float* ps = src, pd = dst)
        {
            nint s = (nint)ps, d = (nint)pd;
            CpuParallel.ForRanges(blocks, (start, count) =>
            {
                for (int o = start; o < start + count; o++)
                {
                    var from = new ReadOnlySpan<float>((float*)s + (long)o * srcStride + srcOffset, width);
                    var to = new Span<float>((float*)d + (long)o * dstStride + dstOffset, width);
                    if (add)
                    {
                        TensorPrimitives.Add(to, from, to);
                    }
                    else
                    {
                        from.CopyTo(to);
                    }
                }
            }, granule: 1, elementsPerItem: width);
        }
    }

    /// <summary>Elementwise <paramref name="op"/> of a and b with NumPy broadcasting into a new tensor.</summary>
    internal static Tensor Apply(Binary op, Tensor a, Tensor b, string name)
    {
        int[] shape = ShapeMath.SameShape(a.Dims, b.Dims) ? a.Dims : ShapeMath.Broadcast(a.Dims, b.Dims, name);
        Tensor result = Tensor.Empty(shape);
        Span<float> r = result.AsSpan();
        ReadOnlySpan<float> x = a.AsSpan(), y = b.AsSpan();
        if (x.Length == r.Length && y.Length == r.Length)
        {
            CpuParallel.ForRanges(r.Length, (start, count) => SpanSpan(op, a.AsSpan().Slice(start, count), b.AsSpan().Slice(start, count), result.AsSpan().Slice(start, count)));
            return result;
        }

        if (y.Length == 1 && x.Length == r.Length)
        {
            SpanScalar(op, x, y[0], r);
            return result;
        }

        if (x.Length == 1 && y.Length == r.Length)
        {
            ScalarSpan(op, x[0], y, r);
            return result;
        }

        (int[] loop, int[] sa, int[] sb) = ShapeMath.Coalesce(shape, ShapeMath.BroadcastStrides(a.Dims, shape), ShapeMath.BroadcastStrides(b.Dims, shape));
        int rank = loop.Length;
        int inner = loop[rank - 1];
        int ia = sa[rank - 1], ib = sb[rank - 1];
        ForEachRowParallel(loop, sa, sb, (offA, offB, offR) =>
        {
            Span<float> dst = result.AsSpan().Slice(offR, inner);
            ReadOnlySpan<float> xa = a.AsSpan(), yb = b.AsSpan();
            if (ia == 1 && ib == 1)
            {
                SpanSpan(op, xa.Slice(offA, inner), yb.Slice(offB, inner), dst);
            }
            else if (ia == 1)
            {
                SpanScalar(op, xa.Slice(offA, inner), yb[offB], dst);
            }
            else if (ib == 1)
            {
                ScalarSpan(op, xa[offA], yb.Slice(offB, inner), dst);
            }
            else
            {
                SpanScalar(op, xa.Slice(offA, 1), yb[offB], dst.Slice(0, 1));
                dst.Fill(dst[0]);
            }
        });
        return result;
    }

    /// <summary>Sums a gradient of the broadcast shape down to <paramref name="shape"/>.</summary>
    internal static Tensor SumToShape(Tensor g, int[] shape)
    {
        if (ShapeMath.SameShape(g.Dims, shape))
        {
            return g;
        }

        Tensor result = Tensor.Zeros(shape);
        Span<float> r = result.AsSpan();
        if (result.Length == 1)
        {
            r[0] = TensorPrimitives.Sum<float>(g.AsSpan());
            return result;
        }

        (int[] outShape, int[] st, int[] contiguous) = ShapeMath.Coalesce(g.Dims, ShapeMath.BroadcastStrides(shape, g.Dims), ShapeMath.Strides(g.Dims));
        int rank = outShape.Length;
        int inner = outShape[rank - 1];
        int it = st[rank - 1];
        ForEachRow(outShape, st, contiguous, (offT, _, offG) =>
        {
            ReadOnlySpan<float> row = g.AsSpan().Slice(offG, inner);
            Span<float> t = result.AsSpan();
            if (it == 1)
            {
                Span<float> dst = t.Slice(offT, inner);
                TensorPrimitives.Add(dst, row, dst);
            }
            else
            {
                t[offT] += TensorPrimitives.Sum(row);
            }
        });
        return result;
    }

    /// <summary>Calls <paramref name="row"/> with the offsets of each innermost row of <paramref name="shape"/> in two broadcast operands and the result.</summary>
    internal static void ForEachRow(int[] shape, int[] stridesA, int[] stridesB, Action<int, int, int> row)
    {
        int inner = shape[^1];
        Rows(shape, stridesA, stridesB, 0, inner == 0 ? 0 : ShapeMath.Count(shape) / inner, row);
    }

    /// <summary>As <see cref="ForEachRow"/>, with the rows split over the cores when there is enough work (each row's result stands alone).</summary>
    private static void ForEachRowParallel(int[] shape, int[] stridesA, int[] stridesB, Action<int, int, int> row)
    {
        int inner = shape[^1];
        int rows = inner == 0 ? 0 : ShapeMath.Count(shape) / inner;
        if ((long)rows * inner < 1 << 16 || rows < 2 || CpuParallel.Degree == 1)
        {
            Rows(shape, stridesA, stridesB, 0, rows, row);
            return;
        }

        int parts = Math.Min(rows, CpuParallel.Degree * 2);
        CpuParallel.For(parts, part => Rows(shape, stridesA, stridesB, (int)((long)rows * part / parts), (int)((long)rows * (part + 1) / parts), row));
    }

    /// <summary>Rows [first, last) of the loop: the starting index is found by division, then advanced like an odometer.</summary>
    private static void Rows(int[] shape, int[] stridesA, int[] stridesB, int first, int last, Action<int, int, int> row)
    {
        int rank = shape.Length, inner = shape[rank - 1];
        int[] index = new int[rank];
        int offA = 0, offB = 0, rest = first;
        for (int d = rank - 2; d >= 0; d--)
        {
            index[d] = rest % shape[d];
            rest /= shape[d];
            offA += index[d] * stridesA[d];
            offB += index[d] * stridesB[d];
        }

        for (int r = first; r < last; r++)
        {
            row(offA, offB, r * inner);
            for (int d = rank - 2; d >= 0; d--)
            {
                index[d]++;
                offA += stridesA[d];
                offB += stridesB[d];
                if (index[d] < shape[d])
                {
                    break;
                }

                offA -= stridesA[d] * shape[d];
                offB -= stridesB[d] * shape[d];
                index[d] = 0;
            }
        }
    }

    private static void SpanSpan(Binary op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> r)
    {
        switch (op)
        {
            case Binary.Add: TensorPrimitives.Add(x, y, r); break;
            case Binary.Subtract: TensorPrimitives.Subtract(x, y, r); break;
            case Binary.Multiply: TensorPrimitives.Multiply(x, y, r); break;
            default: TensorPrimitives.Divide(x, y, r); break;
        }
    }

    private static void SpanScalar(Binary op, ReadOnlySpan<float> x, float y, Span<float> r)
    {
        switch (op)
        {
            case Binary.Add: TensorPrimitives.Add(x, y, r); break;
            case Binary.Subtract: TensorPrimitives.Subtract(x, y, r); break;
            case Binary.Multiply: TensorPrimitives.Multiply(x, y, r); break;
            default: TensorPrimitives.Divide(x, y, r); break;
        }
    }

    private static void ScalarSpan(Binary op, float x, ReadOnlySpan<float> y, Span<float> r)
    {
        switch (op)
        {
            case Binary.Add: TensorPrimitives.Add(y, x, r); break;
            case Binary.Subtract: TensorPrimitives.Subtract(x, y, r); break;
            case Binary.Multiply: TensorPrimitives.Multiply(y, x, r); break;
            default: TensorPrimitives.Divide(x, y, r); break;
        }
    }
}
