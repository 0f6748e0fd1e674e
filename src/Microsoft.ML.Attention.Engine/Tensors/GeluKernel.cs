using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// GELU, x·Φ(x) with the exact (erf) form PyTorch uses by default, forward and backward, sixteen lanes at a time (eight with AVX2 or Arm's 256-bit vectors).
/// erf is the Numerical Recipes erfc fit of <see cref="SpecialFunctions.Erf"/> evaluated in single precision with
/// <see cref="VectorExp"/>. The last partial vector goes through the same lanes (padded), so every element gets the same
/// result wherever it sits in the tensor and however the work is split. Without 256-bit vectors, the scalar function.
/// </summary>
internal static class GeluKernel
{
    private const float InvSqrt2 = 0.70710678f;
    private const float InvSqrt2Pi = 0.39894228f;

    /// <summary>y = x·Φ(x).</summary>
    internal static void Forward(ReadOnlySpan<float> x, Span<float> y)
    {
        if (!Vector512.IsHardwareAccelerated && Vector256.IsHardwareAccelerated)
        {
            Forward256(x, y);
            return;
        }

        if (!Vector512.IsHardwareAccelerated)
        {
            for (int i = 0; i < x.Length; i++)
            {
                float v = x[i];
                y[i] = 0.5f * v * (1f + SpecialFunctions.Erf(v * InvSqrt2));
            }

            return;
        }

        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i0 = 0;
        for (; i0 + 16 <= n; i0 += 16)
        {
            Forward(Vector512.LoadUnsafe(ref Unsafe.Add(ref x0, i0))).StoreUnsafe(ref Unsafe.Add(ref y0, i0));
        }

        if (i0 < n)
        {
            Span<float> pad = stackalloc float[16];
            x[i0..].CopyTo(pad);
            Forward(Vector512.Create((ReadOnlySpan<float>)pad)).CopyTo(pad);
            pad[..(n - i0)].CopyTo(y[i0..]);
        }
    }

    /// <summary>dx = g·(Φ(x) + x·φ(x)).</summary>
    internal static void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, Span<float> dx)
    {
        if (!Vector512.IsHardwareAccelerated && Vector256.IsHardwareAccelerated)
        {
            Backward256(g, x, dx);
            return;
        }

        if (!Vector512.IsHardwareAccelerated)
        {
            for (int i = 0; i < x.Length; i++)
            {
                float v = x[i];
                float cdf = 0.5f * (1f + SpecialFunctions.Erf(v * InvSqrt2));
                float pdf = MathF.Exp(-0.5f * v * v) * InvSqrt2Pi;
                dx[i] = g[i] * (cdf + v * pdf);
            }

            return;
        }

        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float g0 = ref MemoryMarshal.GetReference(g);
        ref float d0 = ref MemoryMarshal.GetReference(dx);
        int n = x.Length, i0 = 0;
        for (; i0 + 16 <= n; i0 += 16)
        {
            Vector512<float> v = Vector512.LoadUnsafe(ref Unsafe.Add(ref x0, i0));
            (Vector512.LoadUnsafe(ref Unsafe.Add(ref g0, i0)) * Derivative(v)).StoreUnsafe(ref Unsafe.Add(ref d0, i0));
        }

        if (i0 < n)
        {
            Span<float> px = stackalloc float[16], pg = stackalloc float[16];
            x[i0..].CopyTo(px);
            g[i0..].CopyTo(pg);
            (Vector512.Create((ReadOnlySpan<float>)pg) * Derivative(Vector512.Create((ReadOnlySpan<float>)px))).CopyTo(px);
            px[..(n - i0)].CopyTo(dx[i0..]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Forward(Vector512<float> v) =>
        Vector512.Create(0.5f) * v * (Vector512<float>.One + Erf(v * Vector512.Create(InvSqrt2)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Derivative(Vector512<float> v)
    {
        Vector512<float> cdf = Vector512.Create(0.5f) * (Vector512<float>.One + Erf(v * Vector512.Create(InvSqrt2)));
        Vector512<float> pdf = VectorExp.Exp(Vector512.Create(-0.5f) * v * v) * Vector512.Create(InvSqrt2Pi);
        return Vector512.FusedMultiplyAdd(v, pdf, cdf);
    }

    /// <summary>erf(x) = ±(1 − t·exp(−z² + P(t))), z = |x|, t = 1/(1 + z/2), as <see cref="SpecialFunctions.Erf"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Erf(Vector512<float> x)
    {
        Vector512<float> z = Vector512.Abs(x);
        Vector512<float> t = Vector512<float>.One / Vector512.FusedMultiplyAdd(z, Vector512.Create(0.5f), Vector512<float>.One);
        Vector512<float> p = Vector512.Create(0.17087277f);
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(-0.82215223f));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(1.48851587f));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(-1.13520398f));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(0.27886807f));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(-0.18628806f));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(0.09678418f));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(0.37409196f));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(1.00002368f));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(-1.26551223f));
        Vector512<float> r = t * VectorExp.Exp(p - z * z);
        Vector512<float> magnitude = Vector512<float>.One - r;
        return Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), -magnitude, magnitude);
    }

    /// <summary>The forward pass eight lanes at a time (AVX2, Arm's 256-bit path), the tail padded through the same lanes.</summary>
    private static void Forward256(ReadOnlySpan<float> x, Span<float> y)
    {
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i0 = 0;
        for (; i0 + 8 <= n; i0 += 8)
        {
            Forward(Vector256.LoadUnsafe(ref Unsafe.Add(ref x0, i0))).StoreUnsafe(ref Unsafe.Add(ref y0, i0));
        }

        if (i0 < n)
        {
            Span<float> pad = stackalloc float[8];
            x[i0..].CopyTo(pad);
            Forward(Vector256.Create((ReadOnlySpan<float>)pad)).CopyTo(pad);
            pad[..(n - i0)].CopyTo(y[i0..]);
        }
    }

    /// <summary>The backward pass eight lanes at a time.</summary>
    private static void Backward256(ReadOnlySpan<float> g, ReadOnlySpan<float> x, Span<float> dx)
    {
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float g0 = ref MemoryMarshal.GetReference(g);
        ref float d0 = ref MemoryMarshal.GetReference(dx);
        int n = x.Length, i0 = 0;
        for (; i0 + 8 <= n; i0 += 8)
        {
            Vector256<float> v = Vector256.LoadUnsafe(ref Unsafe.Add(ref x0, i0));
            (Vector256.LoadUnsafe(ref Unsafe.Add(ref g0, i0)) * Derivative(v)).StoreUnsafe(ref Unsafe.Add(ref d0, i0));
        }

        if (i0 < n)
        {
            Span<float> px = stackalloc float[8], pg = stackalloc float[8];
            x[i0..].CopyTo(px);
            g[i0..].CopyTo(pg);
            (Vector256.Create((ReadOnlySpan<float>)pg) * Derivative(Vector256.Create((ReadOnlySpan<float>)px))).CopyTo(px);
            px[..(n - i0)].CopyTo(dx[i0..]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Forward(Vector256<float> v) =>
        Vector256.Create(0.5f) * v * (Vector256<float>.One + Erf(v * Vector256.Create(InvSqrt2)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Derivative(Vector256<float> v)
    {
        Vector256<float> cdf = Vector256.Create(0.5f) * (Vector256<float>.One + Erf(v * Vector256.Create(InvSqrt2)));
        Vector256<float> pdf = VectorExp.Exp(Vector256.Create(-0.5f) * v * v) * Vector256.Create(InvSqrt2Pi);
        return Vector256.FusedMultiplyAdd(v, pdf, cdf);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Erf(Vector256<float> x)
    {
        Vector256<float> z = Vector256.Abs(x);
        Vector256<float> t = Vector256<float>.One / Vector256.FusedMultiplyAdd(z, Vector256.Create(0.5f), Vector256<float>.One);
        Vector256<float> p = Vector256.Create(0.17087277f);
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(-0.82215223f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(1.48851587f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(-1.13520398f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(0.27886807f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(-0.18628806f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(0.09678418f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(0.37409196f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(1.00002368f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(-1.26551223f));
        Vector256<float> r = t * VectorExp.Exp(p - z * z);
        Vector256<float> magnitude = Vector256<float>.One - r;
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), -magnitude, magnitude);
    }
}
