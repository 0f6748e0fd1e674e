using System.Runtime.Intrinsics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>Row-wise softmax and log-softmax, forward and backward, with max subtraction and all-masked rows as zeros.</summary>
internal static class SoftmaxKernel
{
    /// <summary>
    /// Softmax (or log-softmax) of each of <paramref name="rows"/> rows of <paramref name="n"/> values. With a
    /// <paramref name="mask"/>, row r uses mask row r / <paramref name="rowsPerMaskRow"/> (n values): where it is non-zero
    /// the position is left out (weight 0), as if its score were −∞. Rows are spread over the cores when there are many.
    /// </summary>
    internal static void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int n, bool log, ReadOnlySpan<float> mask = default, int rowsPerMaskRow = 1)
    {
        if (n == 0 || rows == 0)
        {
            return;
        }

        if (!mask.IsEmpty && mask.Length < (rows + rowsPerMaskRow - 1) / rowsPerMaskRow * n)
        {
            throw new ArgumentException($"Softmax mask: {mask.Length} values for {rows} rows of {n} ({rowsPerMaskRow} rows per mask row).", nameof(mask));
        }

        unsafe
        {
            fixed (float* px = x, py = y, pm = mask)
            {
                nint xs = (nint)px, ys = (nint)py, ms = (nint)pm;
                int lx = x.Length, ly = y.Length, lm = mask.Length;
                CpuParallel.ForRanges(rows, (start, count) =>
                {
                    var xa = new ReadOnlySpan<float>((float*)xs, lx);
                    var ya = new Span<float>((float*)ys, ly);
                    var ma = new ReadOnlySpan<float>((float*)ms, lm);
                    for (int r = start; r < start + count; r++)
                    {
                        ReadOnlySpan<float> maskRow = lm == 0 ? default : ma.Slice(r / rowsPerMaskRow * n, n);
                        Row(xa.Slice(r * n, n), ya.Slice(r * n, n), maskRow, log);
                    }
                }, granule: 1, elementsPerItem: n * 32); // an exp and a few passes per element
            }
        }
    }

    private static void Row(ReadOnlySpan<float> xr, Span<float> yr, ReadOnlySpan<float> maskRow, bool log)
    {
        float max;
        if (maskRow.IsEmpty)
        {
            max = TensorPrimitives.Max(xr);
        }
        else
        {
            // The scores with the blocked positions at −∞, in the output; the rest works from there in place.
            max = float.NegativeInfinity;
            for (int i = 0; i < xr.Length; i++)
            {
                float v = maskRow[i] != 0f ? float.NegativeInfinity : xr[i];
                yr[i] = v;
                max = MathF.Max(max, v);
            }

            xr = yr;
        }

        if (float.IsNegativeInfinity(max))
        {
            // Every position is masked: no distribution exists; give zeros (log: -inf) rather than NaN.
            yr.Fill(log ? float.NegativeInfinity : 0f);
            return;
        }

        if (log)
        {
            TensorPrimitives.Subtract(xr, max, yr);
            float sum = 0f;
            foreach (float v in yr)
            {
                sum += MathF.Exp(v);
            }

            TensorPrimitives.Subtract(yr, MathF.Log(sum), yr);
            return;
        }

        float total = ExpShifted(xr, max, yr);
        TensorPrimitives.Multiply(yr, 1f / total, yr);
    }

    /// <summary>
    /// y = exp(x − shift) with <see cref="VectorExp"/> (the last partial vector padded with −∞, so every element takes the
    /// same path) and the sum of y; without 256-bit vectors, span operations.
    /// </summary>
    private static float ExpShifted(ReadOnlySpan<float> x, float shift, Span<float> y)
    {
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> acc = Vector512<float>.Zero, s = Vector512.Create(shift);
            for (; i + 16 <= n; i += 16)
            {
                Vector512<float> e = VectorExp.Exp(Vector512.Create(x.Slice(i, 16)) - s);
                e.CopyTo(y.Slice(i, 16));
                acc += e;
            }

            if (i < n)
            {
                Span<float> pad = stackalloc float[16];
                pad.Fill(float.NegativeInfinity);
                x[i..].CopyTo(pad);
                Vector512<float> e = VectorExp.Exp(Vector512.Create((ReadOnlySpan<float>)pad) - s);
                acc += e;
                e.CopyTo(pad);
                pad[..(n - i)].CopyTo(y[i..]);
            }

            return Vector512.Sum(acc);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> acc = Vector256<float>.Zero, s = Vector256.Create(shift);
            for (; i + 8 <= n; i += 8)
            {
                Vector256<float> e = VectorExp.Exp(Vector256.Create(x.Slice(i, 8)) - s);
                e.CopyTo(y.Slice(i, 8));
                acc += e;
            }

            if (i < n)
            {
                Span<float> pad = stackalloc float[8];
                pad.Fill(float.NegativeInfinity);
                x[i..].CopyTo(pad);
                Vector256<float> e = VectorExp.Exp(Vector256.Create((ReadOnlySpan<float>)pad) - s);
                acc += e;
                e.CopyTo(pad);
                pad[..(n - i)].CopyTo(y[i..]);
            }

            return Vector256.Sum(acc);
        }

        TensorPrimitives.Subtract(x, shift, y);
        TensorPrimitives.Exp(y, y);
        return TensorPrimitives.Sum<float>(y);
    }

    /// <summary>Gradient w.r.t. the input given the forward output <paramref name="y"/> and the output gradient.</summary>
    internal static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> gx, int rows, int n, bool log)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> yr = y.Slice(r * n, n);
            ReadOnlySpan<float> gr = g.Slice(r * n, n);
            Span<float> gxr = gx.Slice(r * n, n);
            if (log)
            {
                if (float.IsNegativeInfinity(yr[0]) && float.IsNegativeInfinity(TensorPrimitives.Max(yr)))
                {
                    gxr.Clear();
                    continue;
                }

                // gx = g - softmax * sum(g)
                float sum = TensorPrimitives.Sum(gr);
                for (int i = 0; i < n; i++)
                {
                    gxr[i] = gr[i] - MathF.Exp(yr[i]) * sum;
                }
            }
            else
            {
                // gx = y * (g - sum(g * y)); all-masked rows have y = 0 and so get 0.
                float dot = TensorPrimitives.Dot(gr, yr);
                TensorPrimitives.Subtract(gr, dot, gxr);
                TensorPrimitives.Multiply(gxr, yr, gxr);
            }
        }
    }
}
