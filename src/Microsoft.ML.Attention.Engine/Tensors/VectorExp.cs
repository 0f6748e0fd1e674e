using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// exp(x) in single precision for softmax kernels: x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two for an exact
/// reduction), a degree-7 polynomial for e^r and 2^n built in the exponent bits (in two halves). Relative error about 1e-7 (as
/// <c>TensorPrimitives.Exp</c>), half its cost, which computes in double. Below −87.3 the result is exactly 0, so
/// masked (−∞) scores give 0; above 88.7 it is +∞.
/// </summary>
internal static class VectorExp
{
    private const float Log2E = 1.44269504f;
    private const float Ln2Hi = 0.693145751953125f;
    private const float Ln2Lo = 1.428606765330187e-06f;
    private const float MinInput = -87.33654f;
    private const float MaxInput = 88.72283f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Exp(Vector512<float> x)
    {
        Vector512<float> underflow = Vector512.LessThan(x, Vector512.Create(MinInput));
        Vector512<float> v = Vector512.Min(Vector512.Max(x, Vector512.Create(MinInput)), Vector512.Create(MaxInput));
        Vector512<float> n = Vector512.Round(v * Vector512.Create(Log2E));
        Vector512<float> r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Hi), v);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
        Vector512<float> p = Vector512.Create(1.9875691500e-4f);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.3981999507e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894e-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459e-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201e-1f));
        p = Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
        // 2^n as two factors 2^(n/2)·2^(n−n/2), so that n = 128 (x near the top) and n = −126 stay normal.
        Vector512<int> ni = Vector512.ConvertToInt32(n), half = ni >> 1;
        Vector512<float> result = p * ((half + Vector512.Create(127)) << 23).AsSingle() * ((ni - half + Vector512.Create(127)) << 23).AsSingle();
        result = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(MaxInput)), Vector512.Create(float.PositiveInfinity), result);
        return Vector512.AndNot(result, underflow);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Exp(Vector256<float> x)
    {
        Vector256<float> underflow = Vector256.LessThan(x, Vector256.Create(MinInput));
        Vector256<float> v = Vector256.Min(Vector256.Max(x, Vector256.Create(MinInput)), Vector256.Create(MaxInput));
        Vector256<float> n = Vector256.Round(v * Vector256.Create(Log2E));
        Vector256<float> r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Hi), v);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Lo), r);
        Vector256<float> p = Vector256.Create(1.9875691500e-4f);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.3981999507e-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(8.3334519073e-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(4.1665795894e-2f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.6666665459e-1f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(5.0000001201e-1f));
        p = Vector256.FusedMultiplyAdd(p, r * r, r + Vector256<float>.One);
        // 2^n as two factors 2^(n/2)·2^(n−n/2), so that n = 128 (x near the top) and n = −126 stay normal.
        Vector256<int> ni = Vector256.ConvertToInt32(n), half = ni >> 1;
        Vector256<float> result = p * ((half + Vector256.Create(127)) << 23).AsSingle() * ((ni - half + Vector256.Create(127)) << 23).AsSingle();
        result = Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(MaxInput)), Vector256.Create(float.PositiveInfinity), result);
        return Vector256.AndNot(result, underflow);
    }
}
