using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// The additive attention score in one pass: score[b, l, s] = Σ_a v[a]·tanh(q[b, l, a] + k[b, s, a]) for queries
/// [B, L, A] and keys [B, S, A], without the [B, L, S, A] broadcast sum as a tensor of its own (it is kept, as tanh, only
/// when the backward needs it), and its backward. Batches are spread over the cores; each row is one SIMD loop over A
/// (16 lanes with AVX-512, 8 with AVX2 or Arm's 256-bit path, scalar below that).
/// </summary>
internal static class AdditiveScoreKernel
{
    internal readonly record struct Shape(int Batch, int Queries, int Keys, int Width);

    /// <summary>Scores [B, L, S]; when <paramref name="tanh"/> is not empty, the tanh values [B, L, S, A] too.</summary>
    internal static void Forward(Shape shape, Tensor q, Tensor k, Tensor v, Tensor scores, Tensor? tanh)
    {
        (int b, int l, int s, int a) = shape;
        CpuParallel.ForRanges(b, (start, count) =>
        {
            ReadOnlySpan<float> qa = q.AsSpan(), ka = k.AsSpan(), va = v.AsSpan();
            Span<float> scoreArray = scores.AsSpan(), tanhArray = tanh is null ? default : tanh.AsSpan();
            Span<float> row = stackalloc float[a];
            for (int bi = start; bi < start + count; bi++)
            {
                for (int li = 0; li < l; li++)
                {
                    ReadOnlySpan<float> qi = qa.Slice((bi * l + li) * a, a);
                    for (int si = 0; si < s; si++)
                    {
                        int at = (bi * l + li) * s + si;
                        Span<float> t = tanh is null ? row : tanhArray.Slice(at * a, a);
                        scoreArray[at] = Row(qi, ka.Slice((bi * s + si) * a, a), va, t);
                    }
                }
            }
        }, granule: 1, elementsPerItem: l * s * a * 8);
    }

    /// <summary>
    /// From dScores [B, L, S] and the saved tanh: dq [B, L, A] and dk [B, S, A] (written, not added; dk added to what it
    /// holds when <paramref name="accumulateKeys"/>), and dv [A].
    /// </summary>
    internal static void Backward(Shape shape, Tensor g, Tensor tanh, Tensor v, Tensor dq, Tensor dk, Span<float> dv, bool accumulateKeys = false)
    {
        (int b, int l, int s, int a) = shape;
        dq.AsSpan().Clear();
        if (!accumulateKeys)
        {
            dk.AsSpan().Clear();
        }

        int chunks = Math.Max(1, Math.Min(b, CpuParallel.Degree * 4));
        var partial = new float[chunks, a];
        CpuParallel.For(chunks, c =>
        {
            int start = (int)((long)b * c / chunks), end = (int)((long)b * (c + 1) / chunks);
            ReadOnlySpan<float> ga = g.AsSpan(), ta = tanh.AsSpan(), va = v.AsSpan();
            Span<float> dqa = dq.AsSpan(), dka = dk.AsSpan();
            Span<float> dvc = MemoryMarshal.CreateSpan(ref partial[c, 0], a);
            for (int bi = start; bi < end; bi++)
            {
                for (int li = 0; li < l; li++)
                {
                    Span<float> dqi = dqa.Slice((bi * l + li) * a, a);
                    for (int si = 0; si < s; si++)
                    {
                        int at = (bi * l + li) * s + si;
                        BackwardRow(ta.Slice(at * a, a), va, ga[at], dqi, dka.Slice((bi * s + si) * a, a), dvc);
                    }
                }
            }
        });
        dv.Clear();
        for (int c = 0; c < chunks; c++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(dv, MemoryMarshal.CreateReadOnlySpan(ref partial[c, 0], a), dv);
        }
    }

    /// <summary>
    /// One (query, key) pair's backward in one SIMD pass over A, from its saved tanh t: d = ((1 − t²)·v)·g; dq += d;
    /// dk += d; dv += t·g (each product rounded before its sum, as the span operations this replaces did).
    /// </summary>
    private static void BackwardRow(ReadOnlySpan<float> t, ReadOnlySpan<float> v, float g, Span<float> dq, Span<float> dk, Span<float> dv)
    {
        int n = t.Length, i = 0;
        ref float t0 = ref MemoryMarshal.GetReference(t);
        ref float v0 = ref MemoryMarshal.GetReference(v);
        ref float q0 = ref MemoryMarshal.GetReference(dq);
        ref float k0 = ref MemoryMarshal.GetReference(dk);
        ref float w0 = ref MemoryMarshal.GetReference(dv);
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            Vector512<float> gv = Vector512.Create(g), one = Vector512<float>.One;
            for (; i + 16 <= n; i += 16)
            {
                Vector512<float> th = Vector512.LoadUnsafe(ref Unsafe.Add(ref t0, i));
                Vector512<float> d = (one - th * th) * Vector512.LoadUnsafe(ref Unsafe.Add(ref v0, i)) * gv;
                (Vector512.LoadUnsafe(ref Unsafe.Add(ref q0, i)) + d).StoreUnsafe(ref Unsafe.Add(ref q0, i));
                (Vector512.LoadUnsafe(ref Unsafe.Add(ref k0, i)) + d).StoreUnsafe(ref Unsafe.Add(ref k0, i));
                (Vector512.LoadUnsafe(ref Unsafe.Add(ref w0, i)) + th * gv).StoreUnsafe(ref Unsafe.Add(ref w0, i));
            }
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<float> gv = Vector256.Create(g), one = Vector256<float>.One;
            for (; i + 8 <= n; i += 8)
            {
                Vector256<float> th = Vector256.LoadUnsafe(ref Unsafe.Add(ref t0, i));
                Vector256<float> d = (one - th * th) * Vector256.LoadUnsafe(ref Unsafe.Add(ref v0, i)) * gv;
                (Vector256.LoadUnsafe(ref Unsafe.Add(ref q0, i)) + d).StoreUnsafe(ref Unsafe.Add(ref q0, i));
                (Vector256.LoadUnsafe(ref Unsafe.Add(ref k0, i)) + d).StoreUnsafe(ref Unsafe.Add(ref k0, i));
                (Vector256.LoadUnsafe(ref Unsafe.Add(ref w0, i)) + th * gv).StoreUnsafe(ref Unsafe.Add(ref w0, i));
            }
        }

        for (; i < n; i++)
        {
            float th = t[i], d = (1f - th * th) * v[i] * g;
            dq[i] += d;
            dk[i] += d;
            dv[i] += th * g;
        }
    }

    /// <summary>Σ_a v[a]·tanh(q[a] + k[a]), writing the tanh values to <paramref name="t"/>.</summary>
    private static float Row(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> t)
    {
        int n = q.Length, i = 0;
        ref float q0 = ref MemoryMarshal.GetReference(q);
        ref float k0 = ref MemoryMarshal.GetReference(k);
        ref float v0 = ref MemoryMarshal.GetReference(v);
        ref float t0 = ref MemoryMarshal.GetReference(t);
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            Vector512<float> acc = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16)
            {
                Vector512<float> th = VectorTanh.Tanh(Vector512.LoadUnsafe(ref Unsafe.Add(ref q0, i)) + Vector512.LoadUnsafe(ref Unsafe.Add(ref k0, i)));
                th.StoreUnsafe(ref Unsafe.Add(ref t0, i));
                acc = Vector512.FusedMultiplyAdd(th, Vector512.LoadUnsafe(ref Unsafe.Add(ref v0, i)), acc);
            }

            sum = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<float> acc = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8)
            {
                Vector256<float> th = VectorTanh.Tanh(Vector256.LoadUnsafe(ref Unsafe.Add(ref q0, i)) + Vector256.LoadUnsafe(ref Unsafe.Add(ref k0, i)));
                th.StoreUnsafe(ref Unsafe.Add(ref t0, i));
                acc = Vector256.FusedMultiplyAdd(th, Vector256.LoadUnsafe(ref Unsafe.Add(ref v0, i)), acc);
            }

            sum = Vector256.Sum(acc);
        }

        for (; i < n; i++)
        {
            float th = VectorTanh.Tanh(q[i] + k[i]);
            t[i] = th;
            sum += th * v[i];
        }

        return sum;
    }
}
