using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// tanh(x) in single precision for fused kernels: the odd/even rational minimax approximation p(x)/q(x) (degree 13 over
/// degree 6, Eigen's fast float tanh) on x clamped to ±7.905 (where it reaches ±1 in float), so one division and ten
/// FMAs instead of an exponential. Absolute and relative error below 4e-7 everywhere (measured on a dense grid against
/// double precision); odd, so tanh(−0) = −0; NaN stays NaN. The scalar form computes the same FMAs in the same order,
/// so every path gives the same bits.
/// </summary>
internal static class VectorTanh
{
    private const float Clamp = 7.90531110763549805f;
    private const float A1 = 4.89352455891786e-03f, A3 = 6.37261928875436e-04f, A5 = 1.48572235717979e-05f, A7 = 5.12229709037114e-08f;
    private const float A9 = -8.60467152213735e-11f, A11 = 2.00018790482477e-13f, A13 = -2.76076847742355e-16f;
    private const float B0 = 4.89352518554385e-03f, B2 = 2.26843463243900e-03f, B4 = 1.18534705686654e-04f, B6 = 1.19825839466702e-06f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Tanh(Vector512<float> x)
    {
        // x last: the native max/min return their second operand when either is NaN.
        Vector512<float> c = Vector512.MinNative(Vector512.Create(Clamp), Vector512.MaxNative(Vector512.Create(-Clamp), x));
        Vector512<float> x2 = c * c;
        Vector512<float> p = Vector512.FusedMultiplyAdd(x2, Vector512.Create(A13), Vector512.Create(A11));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(A9));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(A7));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(A5));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(A3));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(A1));
        Vector512<float> q = Vector512.FusedMultiplyAdd(x2, Vector512.Create(B6), Vector512.Create(B4));
        q = Vector512.FusedMultiplyAdd(x2, q, Vector512.Create(B2));
        q = Vector512.FusedMultiplyAdd(x2, q, Vector512.Create(B0));
        return p * c / q;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Tanh(Vector256<float> x)
    {
        Vector256<float> c = Vector256.MinNative(Vector256.Create(Clamp), Vector256.MaxNative(Vector256.Create(-Clamp), x));
        Vector256<float> x2 = c * c;
        Vector256<float> p = Vector256.FusedMultiplyAdd(x2, Vector256.Create(A13), Vector256.Create(A11));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(A9));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(A7));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(A5));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(A3));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(A1));
        Vector256<float> q = Vector256.FusedMultiplyAdd(x2, Vector256.Create(B6), Vector256.Create(B4));
        q = Vector256.FusedMultiplyAdd(x2, q, Vector256.Create(B2));
        q = Vector256.FusedMultiplyAdd(x2, q, Vector256.Create(B0));
        return p * c / q;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Tanh(Vector128<float> x)
    {
        Vector128<float> c = Vector128.MinNative(Vector128.Create(Clamp), Vector128.MaxNative(Vector128.Create(-Clamp), x));
        Vector128<float> x2 = c * c;
        Vector128<float> p = Vector128.FusedMultiplyAdd(x2, Vector128.Create(A13), Vector128.Create(A11));
        p = Vector128.FusedMultiplyAdd(x2, p, Vector128.Create(A9));
        p = Vector128.FusedMultiplyAdd(x2, p, Vector128.Create(A7));
        p = Vector128.FusedMultiplyAdd(x2, p, Vector128.Create(A5));
        p = Vector128.FusedMultiplyAdd(x2, p, Vector128.Create(A3));
        p = Vector128.FusedMultiplyAdd(x2, p, Vector128.Create(A1));
        Vector128<float> q = Vector128.FusedMultiplyAdd(x2, Vector128.Create(B6), Vector128.Create(B4));
        q = Vector128.FusedMultiplyAdd(x2, q, Vector128.Create(B2));
        q = Vector128.FusedMultiplyAdd(x2, q, Vector128.Create(B0));
        return p * c / q;
    }

    /// <summary>The same function for one value (tails and machines without 256-bit vectors), bit for bit.</summary>
    internal static float Tanh(float x)
    {
        float c = float.IsNaN(x) ? x : Math.Clamp(x, -Clamp, Clamp);
        float x2 = c * c;
        float p = MathF.FusedMultiplyAdd(x2, A13, A11);
        p = MathF.FusedMultiplyAdd(x2, p, A9);
        p = MathF.FusedMultiplyAdd(x2, p, A7);
        p = MathF.FusedMultiplyAdd(x2, p, A5);
        p = MathF.FusedMultiplyAdd(x2, p, A3);
        p = MathF.FusedMultiplyAdd(x2, p, A1);
        float q = MathF.FusedMultiplyAdd(x2, B6, B4);
        q = MathF.FusedMultiplyAdd(x2, q, B2);
        q = MathF.FusedMultiplyAdd(x2, q, B0);
        return p * c / q;
    }

    /// <summary>
    /// y = tanh(x) elementwise (the spans may be the same), Vector512, Vector256 or Vector128 over the body and the scalar
    /// form over the rest: the same bits whichever path an element takes.
    /// </summary>
    internal static void Tanh(ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length < x.Length)
        {
            throw new ArgumentException($"tanh: {y.Length} outputs for {x.Length} inputs.", nameof(y));
        }

        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + Vector512<float>.Count <= n; i += Vector512<float>.Count)
            {
                Tanh(Vector512.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ys, (nuint)i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<float>.Count <= n; i += Vector256<float>.Count)
            {
                Tanh(Vector256.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ys, (nuint)i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + Vector128<float>.Count <= n; i += Vector128<float>.Count)
            {
                Tanh(Vector128.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ys, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref ys, i) = Tanh(Unsafe.Add(ref xs, i));
        }
    }

    /// <summary>σ(x) = ½·tanh(x/2) + ½ from the same approximation (absolute error below 2e-7; no exponential).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Sigmoid(Vector512<float> x) =>
        Vector512.FusedMultiplyAdd(Tanh(x * Vector512.Create(0.5f)), Vector512.Create(0.5f), Vector512.Create(0.5f));

    /// <summary>σ(x) = ½·tanh(x/2) + ½ from the same approximation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Sigmoid(Vector256<float> x) =>
        Vector256.FusedMultiplyAdd(Tanh(x * Vector256.Create(0.5f)), Vector256.Create(0.5f), Vector256.Create(0.5f));

    /// <summary>σ(x) = ½·tanh(x/2) + ½, the same bits as the vector forms.</summary>
    internal static float Sigmoid(float x) => MathF.FusedMultiplyAdd(Tanh(x * 0.5f), 0.5f, 0.5f);
}
