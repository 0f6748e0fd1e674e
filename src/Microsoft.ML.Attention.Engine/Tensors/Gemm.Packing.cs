using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>GEMM panel packing of A and B (see <see cref="Gemm"/>).</summary>
internal static unsafe partial class Gemm
{
    /// <summary>Packs rows [pc, pc+kc) × columns [jc, jc+nc) of op(B) into NR-wide panels, zero-padded.</summary>
    private static void PackB(bool trans, float* b, int ldb, int pc, int jc, int kc, int nc, float* dst, int nr)
    {
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int w = Math.Min(nr, nc - j0);
            float* panel = dst + (long)j0 * kc;
            if (!trans)
            {
                float* src = b + (long)pc * ldb + jc + j0;
                if (w == 32 && nr == 32)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* row = src + (long)p * ldb;
                        Vector512.Load(row).Store(panel + p * 32);
                        Vector512.Load(row + 16).Store(panel + p * 32 + 16);
                    }
                }
                else if (w == nr)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        Buffer.MemoryCopy(src + (long)p * ldb, panel + p * nr, nr * sizeof(float), nr * sizeof(float));
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* s = src + (long)p * ldb;
                        float* d = panel + p * nr;
                        int j = 0;
                        for (; j < w; j++)
                        {
                            d[j] = s[j];
                        }

                        for (; j < nr; j++)
                        {
                            d[j] = 0f;
                        }
                    }
                }
            }
            else if (w == nr && Avx.IsSupported)
            {
                // op(B)(p, j) = b[j * ldb + p]: 8 source rows × 8 k-steps at a time, transposed into the panel.
                float* src = b + (long)(jc + j0) * ldb + pc;
                int p = 0;
                for (; p + 8 <= kc; p += 8)
                {
                    for (int j = 0; j < nr; j += 8)
                    {
                        Transpose8x8(src + (long)j * ldb + p, ldb, panel + p * nr + j, nr);
                    }
                }

                for (; p < kc; p++)
                {
                    for (int j = 0; j < nr; j++)
                    {
                        panel[p * nr + j] = src[(long)j * ldb + p];
                    }
                }
            }
            else
            {
                // op(B)(p, j) = b[j * ldb + p]: each source row is one destination column.
                for (int j = 0; j < nr; j++)
                {
                    if (j < w)
                    {
                        float* s = b + (long)(jc + j0 + j) * ldb + pc;
                        for (int p = 0; p < kc; p++)
                        {
                            panel[p * nr + j] = s[p];
                        }
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++)
                        {
                            panel[p * nr + j] = 0f;
                        }
                    }
                }
            }
        }
    }

    /// <summary>Packs rows [ic, ic+mc) × columns [pc, pc+kc) of op(A) into MR-tall panels, zero-padded.</summary>
    private static void PackA(bool trans, float* a, int lda, int ic, int pc, int mc, int kc, float* dst, int mr)
    {
        for (int i0 = 0; i0 < mc; i0 += mr)
        {
            int h = Math.Min(mr, mc - i0);
            float* panel = dst + (long)i0 * kc;
            if (trans)
            {
                // op(A)(i, p) = a[p * lda + i]: the panel's column p is contiguous in the source.
                float* src = a + (long)pc * lda + ic + i0;
                if (h == 8 && mr == 8)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        Vector256.Store(Vector256.Load(src + (long)p * lda), panel + p * 8);
                    }

                    continue;
                }

                if (h == 6 && mr == 6)
                {
                    // 8 floats read and stored per step (the next step's store overwrites the 2 extra): source row
                    // p + 1 exists for every p but the block's last, which is copied on its own.
                    int q = 0;
                    for (; q + 1 < kc; q++)
                    {
                        Vector256.Store(Vector256.Load(src + (long)q * lda), panel + q * 6);
                    }

                    float* last = src + (long)q * lda;
                    float* lastDst = panel + q * 6;
                    for (int i = 0; i < 6; i++)
                    {
                        lastDst[i] = last[i];
                    }

                    continue;
                }

                for (int p = 0; p < kc; p++)
                {
                    float* s = src + (long)p * lda;
                    float* d = panel + p * mr;
                    int i = 0;
                    for (; i < h; i++)
                    {
                        d[i] = s[i];
                    }

                    for (; i < mr; i++)
                    {
                        d[i] = 0f;
                    }
                }
            }
            else if (h == 8 && mr == 8)
            {
                // Eight source rows read side by side, the panel written sequentially.
                float* s0 = a + (long)(ic + i0) * lda + pc;
                long l = lda;
                float* d = panel;
                int p = 0;
                if (Avx.IsSupported)
                {
                    for (; p + 8 <= kc; p += 8, d += 64)
                    {
                        Transpose8x8(s0 + p, l, d, 8);
                    }
                }

                PackColumns(s0, l, p, kc, d, 8);
            }
            else if (h == 6 && mr == 6 && Avx.IsSupported)
            {
                // The AVX2 kernel's 6-row panels: 6 source rows × 8 k-steps transposed at a time; each 8-float store
                // writes a panel column and 2 floats the next store overwrites (the buffer has room past its end).
                float* s0 = a + (long)(ic + i0) * lda + pc;
                long l = lda;
                float* d = panel;
                int p = 0;
                for (; p + 8 <= kc; p += 8, d += 48)
                {
                    Transpose6x8(s0 + p, l, d);
                }

                PackColumns(s0, l, p, kc, d, 6);
            }
            else
            {
                for (int i = 0; i < mr; i++)
                {
                    if (i < h)
                    {
                        float* s = a + (long)(ic + i0 + i) * lda + pc;
                        for (int p = 0; p < kc; p++)
                        {
                            panel[p * mr + i] = s[p];
                        }
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++)
                        {
                            panel[p * mr + i] = 0f;
                        }
                    }
                }
            }
        }
    }

    /// <summary>The k-steps [p, kc) of <paramref name="rows"/> source rows <paramref name="ld"/> apart, one panel column of <paramref name="rows"/> floats each, from <paramref name="dst"/> on.</summary>
    private static void PackColumns(float* src, long ld, int p, int kc, float* dst, int rows)
    {
        for (; p < kc; p++, dst += rows)
        {
            for (int i = 0; i < rows; i++)
            {
                dst[i] = src[i * ld + p];
            }
        }
    }

    /// <summary>
    /// Writes the 6×8 block at <paramref name="src"/> (rows <paramref name="ld"/> apart) transposed into 8 consecutive
    /// 6-float columns at <paramref name="dst"/>; the stores are 8 floats wide, so 2 floats past the last column are written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose6x8(float* src, long ld, float* dst)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + ld);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * ld), r3 = Avx.LoadVector256(src + 3 * ld);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * ld), r5 = Avx.LoadVector256(src + 5 * ld);
        Vector256<float> r6 = Vector256<float>.Zero, r7 = Vector256<float>.Zero;
        Transpose8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Avx.Store(dst, r0);
        Avx.Store(dst + 6, r1);
        Avx.Store(dst + 12, r2);
        Avx.Store(dst + 18, r3);
        Avx.Store(dst + 24, r4);
        Avx.Store(dst + 30, r5);
        Avx.Store(dst + 36, r6);
        Avx.Store(dst + 42, r7);
    }

    /// <summary>Writes the 8×8 block at <paramref name="src"/> (rows <paramref name="ld"/> apart) transposed: column j to the 8 floats at dst + j × <paramref name="ldd"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, long ld, float* dst, int ldd)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + ld);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * ld), r3 = Avx.LoadVector256(src + 3 * ld);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * ld), r5 = Avx.LoadVector256(src + 5 * ld);
        Vector256<float> r6 = Avx.LoadVector256(src + 6 * ld), r7 = Avx.LoadVector256(src + 7 * ld);
        Transpose8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Avx.Store(dst, r0);
        Avx.Store(dst + 1 * ldd, r1);
        Avx.Store(dst + 2 * ldd, r2);
        Avx.Store(dst + 3 * ldd, r3);
        Avx.Store(dst + 4 * ldd, r4);
        Avx.Store(dst + 5 * ldd, r5);
        Avx.Store(dst + 6 * ldd, r6);
        Avx.Store(dst + 7 * ldd, r7);
    }

    /// <summary>Transposes the 8×8 matrix held row by row in r0…r7 in place: afterwards rj holds column j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(
        ref Vector256<float> r0, ref Vector256<float> r1, ref Vector256<float> r2, ref Vector256<float> r3,
        ref Vector256<float> r4, ref Vector256<float> r5, ref Vector256<float> r6, ref Vector256<float> r7)
    {
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        r0 = Avx.Permute2x128(u0, u4, 0x20);
        r1 = Avx.Permute2x128(u1, u5, 0x20);
        r2 = Avx.Permute2x128(u2, u6, 0x20);
        r3 = Avx.Permute2x128(u3, u7, 0x20);
        r4 = Avx.Permute2x128(u0, u4, 0x31);
        r5 = Avx.Permute2x128(u1, u5, 0x31);
        r6 = Avx.Permute2x128(u2, u6, 0x31);
        r7 = Avx.Permute2x128(u3, u7, 0x31);
    }
}
