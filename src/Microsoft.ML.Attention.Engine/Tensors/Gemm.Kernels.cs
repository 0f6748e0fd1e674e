using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>GEMM macro-kernel and register-blocked micro-kernels (see <see cref="Gemm"/>).</summary>
internal static unsafe partial class Gemm
{
    /// <summary>
    /// Rows [i0, i0+rows) of C (columns [0, nc) from <paramref name="c"/>) += op(A) rows × the packed KC×nc block of B,
    /// packing those rows of A MC at a time into this thread's buffer.
    /// </summary>
    private static void Macro(bool transA, float* a, int lda, int i0, int rows, int pc, int kc, float* packB, int nc, float* c, int ldc, bool add, float* bias)
    {
        int mr = MR, nr = NR;
        float* packA = Aligned(ref t_packA, kc * Math.Min(MC, RoundUp(rows, mr)));
        float* tile = stackalloc float[8 * 32];
        for (int ic = i0; ic < i0 + rows; ic += MC)
        {
            int mc = Math.Min(MC, i0 + rows - ic);
            PackA(transA, a, lda, ic, pc, mc, kc, packA, mr);
            for (int jr = 0; jr < nc; jr += nr)
            {
                int nrr = Math.Min(nr, nc - jr);
                float* bp = packB + (long)jr * kc;
                for (int ir = 0; ir < mc; ir += mr)
                {
                    int mrr = Math.Min(mr, mc - ir);
                    float* ap = packA + (long)ir * kc;
                    float* cp = c + (long)(ic + ir) * ldc + jr;
                    if (mrr == mr && nrr == nr)
                    {
                        Kernel(kc, ap, bp, cp, ldc, add, bias != null ? bias + jr : null);
                    }
                    else
                    {
                        Kernel(kc, ap, bp, tile, nr, add: false, bias: null);
                        for (int i = 0; i < mrr; i++)
                        {
                            float* crow = cp + (long)i * ldc;
                            float* trow = tile + i * nr;
                            for (int j = 0; j < nrr; j++)
                            {
                                float v = trow[j] + (bias != null ? bias[jr + j] : 0f);
                                crow[j] = add ? crow[j] + v : v;
                            }
                        }
                    }
                }
            }
        }
    }


    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel(int kc, float* a, float* b, float* c, int ldc, bool add, float* bias)
    {
        if (s_wide)
        {
            Kernel8x32(kc, a, b, c, ldc, add, bias);
        }
        else
        {
            Kernel6x16(kc, a, b, c, ldc, add, bias);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel8x32(int kc, float* a, float* b, float* c, int ldc, bool add, float* bias)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> ai = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(ai, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(ai, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(ai, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(ai, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(ai, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(ai, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(ai, b1, c51);
            ai = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(ai, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(ai, b1, c61);
            ai = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(ai, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(ai, b1, c71);
            a += 8;
            b += 32;
        }

        if (bias != null)
        {
            Vector512<float> bias0 = Vector512.Load(bias), bias1 = Vector512.Load(bias + 16);
            c00 += bias0; c01 += bias1; c10 += bias0; c11 += bias1; c20 += bias0; c21 += bias1; c30 += bias0; c31 += bias1;
            c40 += bias0; c41 += bias1; c50 += bias0; c51 += bias1; c60 += bias0; c61 += bias1; c70 += bias0; c71 += bias1;
        }

        StoreRow(c, c00, c01, add);
        StoreRow(c + ldc, c10, c11, add);
        StoreRow(c + 2L * ldc, c20, c21, add);
        StoreRow(c + 3L * ldc, c30, c31, add);
        StoreRow(c + 4L * ldc, c40, c41, add);
        StoreRow(c + 5L * ldc, c50, c51, add);
        StoreRow(c + 6L * ldc, c60, c61, add);
        StoreRow(c + 7L * ldc, c70, c71, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector512<float> v0, Vector512<float> v1, bool add)
    {
        if (add)
        {
            v0 += Vector512.Load(c);
            v1 += Vector512.Load(c + 16);
        }

        v0.Store(c);
        v1.Store(c + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16(int kc, float* a, float* b, float* c, int ldc, bool add, float* bias)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> ai = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(ai, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(ai, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(ai, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(ai, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(ai, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(ai, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(ai, b1, c51);
            a += 6;
            b += 16;
        }

        if (bias != null)
        {
            Vector256<float> bias0 = Vector256.Load(bias), bias1 = Vector256.Load(bias + 8);
            c00 += bias0; c01 += bias1; c10 += bias0; c11 += bias1; c20 += bias0; c21 += bias1;
            c30 += bias0; c31 += bias1; c40 += bias0; c41 += bias1; c50 += bias0; c51 += bias1;
        }

        StoreRow(c, c00, c01, add);
        StoreRow(c + ldc, c10, c11, add);
        StoreRow(c + 2L * ldc, c20, c21, add);
        StoreRow(c + 3L * ldc, c30, c31, add);
        StoreRow(c + 4L * ldc, c40, c41, add);
        StoreRow(c + 5L * ldc, c50, c51, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector256<float> v0, Vector256<float> v1, bool add)
    {
        if (add)
        {
            v0 += Vector256.Load(c);
            v1 += Vector256.Load(c + 8);
        }

        v0.Store(c);
        v1.Store(c + 8);
    }
}
