using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// Adam's update of one parameter in one SIMD pass (Vector512, else Vector256, scalar tail), the elements spread over the
/// cores by ranges for large parameters (an embedding table of millions). Every element is computed with the same
/// operations in the same order as the scalar loop <see cref="Scalar"/> (no fused multiply-add), so the result has the
/// same bits whatever the width or the split.
/// </summary>
internal static class AdamKernel
{
    /// <summary>The constants of one step.</summary>
    /// <param name="Decay">Decoupled weight decay's factor on p (1 − lr·λ), or 1.</param>
    /// <param name="L2">Adam's L2 term added to the gradient (λ), or 0.</param>
    /// <param name="Beta1">β₁.</param>
    /// <param name="Beta2">β₂.</param>
    /// <param name="StepSize">lr / (1 − β₁ᵗ).</param>
    /// <param name="InverseSqrtBias2">1 / √(1 − β₂ᵗ).</param>
    /// <param name="Eps">ε.</param>
    internal readonly record struct Step(float Decay, float L2, float Beta1, float Beta2, float StepSize, float InverseSqrtBias2, float Eps);

    /// <summary>Updates <paramref name="p"/>, <paramref name="m"/> and <paramref name="v"/> in place from <paramref name="grad"/>.</summary>
    internal static void Update(Span<float> p, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, Step step)
    {
        if (p.Length != grad.Length || m.Length != p.Length || v.Length != p.Length)
        {
            throw new ArgumentException($"Adam: a parameter of {p.Length} values has a gradient of {grad.Length} and moments of {m.Length} and {v.Length}.");
        }

        unsafe
        {
            fixed (float* pp = p, gp = grad, mp = m, vp = v)
            {
                nint pa = (nint)pp, ga = (nint)gp, ma = (nint)mp, va = (nint)vp;
                CpuParallel.ForRanges(p.Length, (start, count) => Range(
                    new Span<float>((float*)pa + start, count), new ReadOnlySpan<float>((float*)ga + start, count),
                    new Span<float>((float*)ma + start, count), new Span<float>((float*)va + start, count), step), granule: 1024);
            }
        }
    }

    /// <summary>The scalar loop, element by element: the reference the SIMD paths equal bit for bit.</summary>
    internal static void Scalar(Span<float> p, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, Step step, int from = 0)
    {
        float b1 = step.Beta1, b2 = step.Beta2, c1 = 1 - b1, c2 = 1 - b2;
        for (int i = from; i < p.Length; i++)
        {
            float pi = p[i] * step.Decay;
            float g = grad[i] + step.L2 * pi;
            m[i] = b1 * m[i] + c1 * g;
            v[i] = b2 * v[i] + c2 * g * g;
            p[i] = pi - step.StepSize * m[i] / (MathF.Sqrt(v[i]) * step.InverseSqrtBias2 + step.Eps);
        }
    }

    private static void Range(Span<float> p, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, Step step)
    {
        int n = p.Length, i = 0;
        ref float p0 = ref MemoryMarshal.GetReference(p);
        ref float g0 = ref MemoryMarshal.GetReference(grad);
        ref float m0 = ref MemoryMarshal.GetReference(m);
        ref float v0 = ref MemoryMarshal.GetReference(v);
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            Vector512<float> decay = Vector512.Create(step.Decay), l2 = Vector512.Create(step.L2), b1 = Vector512.Create(step.Beta1), b2 = Vector512.Create(step.Beta2);
            Vector512<float> c1 = Vector512.Create(1 - step.Beta1), c2 = Vector512.Create(1 - step.Beta2), size = Vector512.Create(step.StepSize);
            Vector512<float> bias = Vector512.Create(step.InverseSqrtBias2), eps = Vector512.Create(step.Eps);
            for (; i + 16 <= n; i += 16)
            {
                Vector512<float> pi = Vector512.LoadUnsafe(ref Unsafe.Add(ref p0, i)) * decay;
                Vector512<float> g = Vector512.LoadUnsafe(ref Unsafe.Add(ref g0, i)) + l2 * pi;
                Vector512<float> mi = b1 * Vector512.LoadUnsafe(ref Unsafe.Add(ref m0, i)) + c1 * g;
                Vector512<float> vi = b2 * Vector512.LoadUnsafe(ref Unsafe.Add(ref v0, i)) + c2 * g * g;
                mi.StoreUnsafe(ref Unsafe.Add(ref m0, i));
                vi.StoreUnsafe(ref Unsafe.Add(ref v0, i));
                (pi - size * mi / (Vector512.Sqrt(vi) * bias + eps)).StoreUnsafe(ref Unsafe.Add(ref p0, i));
            }
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<float> decay = Vector256.Create(step.Decay), l2 = Vector256.Create(step.L2), b1 = Vector256.Create(step.Beta1), b2 = Vector256.Create(step.Beta2);
            Vector256<float> c1 = Vector256.Create(1 - step.Beta1), c2 = Vector256.Create(1 - step.Beta2), size = Vector256.Create(step.StepSize);
            Vector256<float> bias = Vector256.Create(step.InverseSqrtBias2), eps = Vector256.Create(step.Eps);
            for (; i + 8 <= n; i += 8)
            {
                Vector256<float> pi = Vector256.LoadUnsafe(ref Unsafe.Add(ref p0, i)) * decay;
                Vector256<float> g = Vector256.LoadUnsafe(ref Unsafe.Add(ref g0, i)) + l2 * pi;
                Vector256<float> mi = b1 * Vector256.LoadUnsafe(ref Unsafe.Add(ref m0, i)) + c1 * g;
                Vector256<float> vi = b2 * Vector256.LoadUnsafe(ref Unsafe.Add(ref v0, i)) + c2 * g * g;
                mi.StoreUnsafe(ref Unsafe.Add(ref m0, i));
                vi.StoreUnsafe(ref Unsafe.Add(ref v0, i));
                (pi - size * mi / (Vector256.Sqrt(vi) * bias + eps)).StoreUnsafe(ref Unsafe.Add(ref p0, i));
            }
        }

        Scalar(p, grad, m, v, step, i);
    }
}
