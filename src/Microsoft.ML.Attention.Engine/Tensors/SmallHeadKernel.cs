using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// The two products of one attention block when a head is narrow (a few dozen floats): scores Q·Kᵀ and the weighted sum
/// P·V, computed directly with broadcast multiply-adds over <see cref="Vector{T}"/> (the machine's SIMD width: AVX2,
/// AVX-512 and Arm alike), four query rows at a time so that each loaded key or value vector serves four rows. For such
/// shapes a packing GEMM spends most of its time packing. Each element is summed in the order of the head's dimensions
/// (scores) or of the keys (values), as the GEMM does, so results agree with it up to rounding.
/// </summary>
internal static class SmallHeadKernel
{
    /// <summary>Widest head this kernel is used for.</summary>
    internal const int MaxHeadDim = 64;

    /// <summary>
    /// scores[r, j] = Σ_d q[r·ldq + d]·k[j·ldk + d] for r &lt; rows, j &lt; cols (scores row-major with leading dimension cols);
    /// <paramref name="kt"/> is scratch of at least e·cols floats (the key block transposed).
    /// </summary>
    internal static void Scores(ReadOnlySpan<float> q, int ldq, ReadOnlySpan<float> k, int ldk, int rows, int cols, int e, Span<float> scores, Span<float> kt)
    {
        for (int j = 0; j < cols; j++)
        {
            ReadOnlySpan<float> key = k.Slice(j * ldk, e);
            for (int d = 0; d < e; d++)
            {
                kt[d * cols + j] = key[d];
            }
        }

        ref float q0 = ref MemoryMarshal.GetReference(q);
        ref float t0 = ref MemoryMarshal.GetReference(kt);
        ref float s0 = ref MemoryMarshal.GetReference(scores);
        int w = Vector<float>.Count, r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            ref float qa = ref Unsafe.Add(ref q0, r * ldq);
            ref float qb = ref Unsafe.Add(ref qa, ldq);
            ref float qc = ref Unsafe.Add(ref qb, ldq);
            ref float qd = ref Unsafe.Add(ref qc, ldq);
            int j = 0;
            for (; j + w <= cols; j += w)
            {
                Vector<float> a = Vector<float>.Zero, b = a, c = a, dd = a;
                for (int d = 0; d < e; d++)
                {
                    var kv = Vector.LoadUnsafe(ref Unsafe.Add(ref t0, d * cols + j));
                    a = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref qa, d)), kv, a);
                    b = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref qb, d)), kv, b);
                    c = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref qc, d)), kv, c);
                    dd = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref qd, d)), kv, dd);
                }

                a.StoreUnsafe(ref Unsafe.Add(ref s0, r * cols + j));
                b.StoreUnsafe(ref Unsafe.Add(ref s0, (r + 1) * cols + j));
                c.StoreUnsafe(ref Unsafe.Add(ref s0, (r + 2) * cols + j));
                dd.StoreUnsafe(ref Unsafe.Add(ref s0, (r + 3) * cols + j));
            }

            for (int i = r; i < r + 4; i++)
            {
                ScoreTail(ref Unsafe.Add(ref q0, i * ldq), ref t0, cols, e, j, ref Unsafe.Add(ref s0, i * cols));
            }
        }

        for (; r < rows; r++)
        {
            ref float qr = ref Unsafe.Add(ref q0, r * ldq);
            int j = 0;
            for (; j + w <= cols; j += w)
            {
                Vector<float> a = Vector<float>.Zero;
                for (int d = 0; d < e; d++)
                {
                    a = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref qr, d)), Vector.LoadUnsafe(ref Unsafe.Add(ref t0, d * cols + j)), a);
                }

                a.StoreUnsafe(ref Unsafe.Add(ref s0, r * cols + j));
            }

            ScoreTail(ref qr, ref t0, cols, e, j, ref Unsafe.Add(ref s0, r * cols));
        }
    }

    /// <summary>
    /// acc[r·ev + c] += Σ_j p[r·cols + j]·v[j·ldv + c] for r &lt; rows, c &lt; ev.
    /// </summary>
    internal static void AccumulateValues(ReadOnlySpan<float> p, int rows, int cols, ReadOnlySpan<float> v, int ldv, int ev, Span<float> acc)
    {
        ref float p0 = ref MemoryMarshal.GetReference(p);
        ref float v0 = ref MemoryMarshal.GetReference(v);
        ref float a0 = ref MemoryMarshal.GetReference(acc);
        int w = Vector<float>.Count, r = 0;
        int wide = ev - ev % w;
        for (; r + 4 <= rows; r += 4)
        {
            ref float pa = ref Unsafe.Add(ref p0, r * cols);
            ref float pb = ref Unsafe.Add(ref pa, cols);
            ref float pc = ref Unsafe.Add(ref pb, cols);
            ref float pd = ref Unsafe.Add(ref pc, cols);
            for (int c = 0; c < wide; c += w)
            {
                ref float aa = ref Unsafe.Add(ref a0, r * ev + c);
                Vector<float> x = Vector.LoadUnsafe(ref aa), y = Vector.LoadUnsafe(ref Unsafe.Add(ref aa, ev));
                Vector<float> z = Vector.LoadUnsafe(ref Unsafe.Add(ref aa, 2 * ev)), u = Vector.LoadUnsafe(ref Unsafe.Add(ref aa, 3 * ev));
                for (int j = 0; j < cols; j++)
                {
                    var vv = Vector.LoadUnsafe(ref Unsafe.Add(ref v0, j * ldv + c));
                    x = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref pa, j)), vv, x);
                    y = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref pb, j)), vv, y);
                    z = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref pc, j)), vv, z);
                    u = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref pd, j)), vv, u);
                }

                x.StoreUnsafe(ref aa);
                y.StoreUnsafe(ref Unsafe.Add(ref aa, ev));
                z.StoreUnsafe(ref Unsafe.Add(ref aa, 2 * ev));
                u.StoreUnsafe(ref Unsafe.Add(ref aa, 3 * ev));
            }

            for (int i = r; i < r + 4; i++)
            {
                ValueTail(ref Unsafe.Add(ref p0, i * cols), cols, ref v0, ldv, ev, wide, ref Unsafe.Add(ref a0, i * ev));
            }
        }

        for (; r < rows; r++)
        {
            ref float pr = ref Unsafe.Add(ref p0, r * cols);
            for (int c = 0; c < wide; c += w)
            {
                ref float ar = ref Unsafe.Add(ref a0, r * ev + c);
                Vector<float> x = Vector.LoadUnsafe(ref ar);
                for (int j = 0; j < cols; j++)
                {
                    x = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref pr, j)), Vector.LoadUnsafe(ref Unsafe.Add(ref v0, j * ldv + c)), x);
                }

                x.StoreUnsafe(ref ar);
            }

            ValueTail(ref pr, cols, ref v0, ldv, ev, wide, ref Unsafe.Add(ref a0, r * ev));
        }
    }

    private static void ScoreTail(ref float q, ref float kt, int cols, int e, int from, ref float s)
    {
        for (int j = from; j < cols; j++)
        {
            float total = 0f;
            for (int d = 0; d < e; d++)
            {
                total = MathF.FusedMultiplyAdd(Unsafe.Add(ref q, d), Unsafe.Add(ref kt, d * cols + j), total);
            }

            Unsafe.Add(ref s, j) = total;
        }
    }

    private static void ValueTail(ref float p, int cols, ref float v, int ldv, int ev, int from, ref float acc)
    {
        for (int c = from; c < ev; c++)
        {
            float total = Unsafe.Add(ref acc, c);
            for (int j = 0; j < cols; j++)
            {
                total = MathF.FusedMultiplyAdd(Unsafe.Add(ref p, j), Unsafe.Add(ref v, j * ldv + c), total);
            }

            Unsafe.Add(ref acc, c) = total;
        }
    }
}
