using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// GELU, x·Φ(x) with the exact (erf) form PyTorch uses by default, forward and backward, sixteen lanes at a time (eight with AVX2 or Arm's 256-bit vectors).
/// erf is a rational minimax fit, x·P(x²)/Q(x²) of degrees 13 and 8 on x clamped to [−4, 4] (Eigen's
/// <c>generic_fast_erf_float</c>): one division and no exponential, absolute error under 4e-7 (the derivative's φ(x)
/// uses <see cref="VectorExp"/>). The last partial vector goes through the same lanes (padded), so every element gets the same
/// result wherever it sits in the tensor and however the work is split. Without 256-bit vectors, the scalar function.
/// </summary>
internal static class GeluKernel
{
    private const float InvSqrt2 = 0.70710678f;

    // erf's rational minimax fit in single precision, as Eigen's generic_fast_erf_float: numerator odd (α), denominator
    // even (β), monomial coefficients.
    private const float ErfClamp = 4f;
    private const float Alpha1 = -1.60960333262415e-02f;
    private const float Alpha3 = -2.95459980854025e-03f;
    private const float Alpha5 = -7.34990630326855e-04f;
    private const float Alpha7 = -5.69250639462346e-05f;
    private const float Alpha9 = -2.10102402082508e-06f;
    private const float Alpha11 = 2.77068142495902e-08f;
    private const float Alpha13 = -2.72614225801306e-10f;
    private const float Beta0 = -1.42647390514189e-02f;
    private const float Beta2 = -7.37332916720468e-03f;
    private const float Beta4 = -1.68282697438203e-03f;
    private const float Beta6 = -2.13374055278905e-04f;
    private const float Beta8 = -1.45660718464996e-05f;
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

    /// <summary>erf(x) ≈ x·P(x²)/Q(x²) on x clamped to [−4, 4] (past which erf is ±1 in single precision): see the class summary.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Erf(Vector512<float> x)
    {
        Vector512<float> c = Vector512.Min(Vector512.Max(x, Vector512.Create(-ErfClamp)), Vector512.Create(ErfClamp));
        Vector512<float> c2 = c * c;
        Vector512<float> p = Vector512.FusedMultiplyAdd(c2, Vector512.Create(Alpha13), Vector512.Create(Alpha11));
        p = Vector512.FusedMultiplyAdd(c2, p, Vector512.Create(Alpha9));
        p = Vector512.FusedMultiplyAdd(c2, p, Vector512.Create(Alpha7));
        p = Vector512.FusedMultiplyAdd(c2, p, Vector512.Create(Alpha5));
        p = Vector512.FusedMultiplyAdd(c2, p, Vector512.Create(Alpha3));
        p = Vector512.FusedMultiplyAdd(c2, p, Vector512.Create(Alpha1));
        Vector512<float> q = Vector512.FusedMultiplyAdd(c2, Vector512.Create(Beta8), Vector512.Create(Beta6));
        q = Vector512.FusedMultiplyAdd(c2, q, Vector512.Create(Beta4));
        q = Vector512.FusedMultiplyAdd(c2, q, Vector512.Create(Beta2));
        q = Vector512.FusedMultiplyAdd(c2, q, Vector512.Create(Beta0));
        return c * p / q;
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
        Vector256<float> c = Vector256.Min(Vector256.Max(x, Vector256.Create(-ErfClamp)), Vector256.Create(ErfClamp));
        Vector256<float> c2 = c * c;
        Vector256<float> p = Vector256.FusedMultiplyAdd(c2, Vector256.Create(Alpha13), Vector256.Create(Alpha11));
        p = Vector256.FusedMultiplyAdd(c2, p, Vector256.Create(Alpha9));
        p = Vector256.FusedMultiplyAdd(c2, p, Vector256.Create(Alpha7));
        p = Vector256.FusedMultiplyAdd(c2, p, Vector256.Create(Alpha5));
        p = Vector256.FusedMultiplyAdd(c2, p, Vector256.Create(Alpha3));
        p = Vector256.FusedMultiplyAdd(c2, p, Vector256.Create(Alpha1));
        Vector256<float> q = Vector256.FusedMultiplyAdd(c2, Vector256.Create(Beta8), Vector256.Create(Beta6));
        q = Vector256.FusedMultiplyAdd(c2, q, Vector256.Create(Beta4));
        q = Vector256.FusedMultiplyAdd(c2, q, Vector256.Create(Beta2));
        q = Vector256.FusedMultiplyAdd(c2, q, Vector256.Create(Beta0));
        return c * p / q;
    }
}
