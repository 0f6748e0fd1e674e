using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// Layer normalization of rows for inference, y = (x − mean) / sqrt(var + eps) · weight + bias with the biased variance
/// of the centred row (two passes, as <c>torch.nn.functional.layer_norm</c>), each row read three times and written
/// once, with nothing kept for a backward pass. Sixteen lanes at a time (Vector512), else eight (Vector256: AVX2,
/// Arm's 256-bit path), the tail scalar. A row's result depends on the row alone, not on the rows around it.
/// </summary>
internal static class LayerNormKernel
{
    /// <summary>Normalizes rows [<paramref name="first"/>, first + <paramref name="count"/>) of width <paramref name="n"/>; weight and bias may be empty (1 and 0).</summary>
    internal static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, float eps, int n, Span<float> y, int first, int count)
    {
        for (int r = first; r < first + count; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * n, n);
            Span<float> yr = y.Slice(r * n, n);
            if (Vector512.IsHardwareAccelerated)
            {
                Row512(xr, weight, bias, eps, yr);
            }
            else
            {
                Row256(xr, weight, bias, eps, yr);
            }
        }
    }

    internal static void Row512(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, float eps, Span<float> y)
    {
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        int n = x.Length, wide = n - n % 16;
        Vector512<float> acc = Vector512<float>.Zero;
        for (int j = 0; j < wide; j += 16)
        {
            acc += Vector512.LoadUnsafe(ref Unsafe.Add(ref x0, j));
        }

        float total = Vector512.Sum(acc);
        for (int j = wide; j < n; j++)
        {
            total += Unsafe.Add(ref x0, j);
        }

        float mean = total / n;
        Vector512<float> vm = Vector512.Create(mean);
        acc = Vector512<float>.Zero;
        for (int j = 0; j < wide; j += 16)
        {
            Vector512<float> d = Vector512.LoadUnsafe(ref Unsafe.Add(ref x0, j)) - vm;
            acc = Vector512.FusedMultiplyAdd(d, d, acc);
        }

        float squares = Vector512.Sum(acc);
        for (int j = wide; j < n; j++)
        {
            float d = Unsafe.Add(ref x0, j) - mean;
            squares = MathF.FusedMultiplyAdd(d, d, squares);
        }

        float rstd = 1f / MathF.Sqrt(squares / n + eps);
        Vector512<float> vr = Vector512.Create(rstd);
        bool scaled = !weight.IsEmpty, shifted = !bias.IsEmpty;
        ref float w0 = ref MemoryMarshal.GetReference(weight);
        ref float b0 = ref MemoryMarshal.GetReference(bias);
        for (int j = 0; j < wide; j += 16)
        {
            Vector512<float> h = (Vector512.LoadUnsafe(ref Unsafe.Add(ref x0, j)) - vm) * vr;
            if (scaled)
            {
                h *= Vector512.LoadUnsafe(ref Unsafe.Add(ref w0, j));
            }

            if (shifted)
            {
                h += Vector512.LoadUnsafe(ref Unsafe.Add(ref b0, j));
            }

            h.StoreUnsafe(ref Unsafe.Add(ref y0, j));
        }

        Tail(ref x0, ref w0, ref b0, scaled, shifted, mean, rstd, wide, n, ref y0);
    }

    internal static void Row256(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, float eps, Span<float> y)
    {
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        int n = x.Length, wide = Vector256.IsHardwareAccelerated ? n - n % 8 : 0;
        Vector256<float> acc = Vector256<float>.Zero;
        for (int j = 0; j < wide; j += 8)
        {
            acc += Vector256.LoadUnsafe(ref Unsafe.Add(ref x0, j));
        }

        float total = Vector256.Sum(acc);
        for (int j = wide; j < n; j++)
        {
            total += Unsafe.Add(ref x0, j);
        }

        float mean = total / n;
        Vector256<float> vm = Vector256.Create(mean);
        acc = Vector256<float>.Zero;
        for (int j = 0; j < wide; j += 8)
        {
            Vector256<float> d = Vector256.LoadUnsafe(ref Unsafe.Add(ref x0, j)) - vm;
            acc = Vector256.FusedMultiplyAdd(d, d, acc);
        }

        float squares = Vector256.Sum(acc);
        for (int j = wide; j < n; j++)
        {
            float d = Unsafe.Add(ref x0, j) - mean;
            squares = MathF.FusedMultiplyAdd(d, d, squares);
        }

        float rstd = 1f / MathF.Sqrt(squares / n + eps);
        Vector256<float> vr = Vector256.Create(rstd);
        bool scaled = !weight.IsEmpty, shifted = !bias.IsEmpty;
        ref float w0 = ref MemoryMarshal.GetReference(weight);
        ref float b0 = ref MemoryMarshal.GetReference(bias);
        for (int j = 0; j < wide; j += 8)
        {
            Vector256<float> h = (Vector256.LoadUnsafe(ref Unsafe.Add(ref x0, j)) - vm) * vr;
            if (scaled)
            {
                h *= Vector256.LoadUnsafe(ref Unsafe.Add(ref w0, j));
            }

            if (shifted)
            {
                h += Vector256.LoadUnsafe(ref Unsafe.Add(ref b0, j));
            }

            h.StoreUnsafe(ref Unsafe.Add(ref y0, j));
        }

        Tail(ref x0, ref w0, ref b0, scaled, shifted, mean, rstd, wide, n, ref y0);
    }

    private static void Tail(ref float x0, ref float w0, ref float b0, bool scaled, bool shifted, float mean, float rstd, int from, int n, ref float y0)
    {
        for (int j = from; j < n; j++)
        {
            float h = (Unsafe.Add(ref x0, j) - mean) * rstd;
            if (scaled)
            {
                h *= Unsafe.Add(ref w0, j);
            }

            if (shifted)
            {
                h += Unsafe.Add(ref b0, j);
            }

            Unsafe.Add(ref y0, j) = h;
        }
    }
}
