using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>GEMM, a few rows against a transposed B: the transposed product with B's rows read in place (see <see cref="Gemm"/>).</summary>
internal static unsafe partial class Gemm
{
    /// <summary>
    /// C[m×n] (+)= op(A)·Bᵀ where B is n×k row-major, as Cᵀ = B·op(A)ᵀ: op(A)ᵀ is packed once into 32-wide panels
    /// (a last panel of at most 16 rows of A into a 16-wide one), the micro-kernel broadcasts B's elements straight
    /// from eight of its rows and its tile lands in C transposed. The rows of B are split between
    /// <paramref name="parts"/> cores, so each reads only its share.
    /// </summary>
    private static void RowsOfB(bool transA, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, float* bias, int parts)
    {
        int full = m / 32 * 32, rest = m - full;
        float* packed = Aligned(ref t_packAt, k * (full + (rest > 16 ? 32 : 16)));

        // op(A)ᵀ(p, i) = op(A)(i, p): for A as stored (not transposed) that is a[i * lda + p], the "transposed" packing.
        if (full > 0)
        {
            PackB(!transA, a, lda, 0, 0, k, full, packed, 32);
        }

        if (rest > 0)
        {
            PackB(!transA, a, lda, 0, full, k, rest, packed + (long)full * k, rest > 16 ? 32 : 16);
        }

        if (parts <= 1 || n < 16 || 2L * m * n * k < 4 * ParallelFlops)
        {
            RowsOfBRange(m, k, b, ldb, 0, n, packed, c, ldc, accumulate, bias);
            return;
        }

        nint pb = (nint)b, pc = (nint)c, pp = (nint)packed, pbias = (nint)bias;
        int groups = (n + 7) / 8;
        int count = Math.Min(parts, groups);
        CpuParallel.For(count, part =>
        {
            int j0 = groups * part / count * 8, j1 = Math.Min(n, groups * (part + 1) / count * 8);
            RowsOfBRange(m, k, (float*)pb, ldb, j0, j1, (float*)pp, (float*)pc, ldc, accumulate, (float*)pbias);
        });
    }

    /// <summary>Columns [j0, j1) of C from rows [j0, j1) of B, k in blocks of KC so the packed panel slice stays in L1.</summary>
    private static void RowsOfBRange(int m, int k, float* b, int ldb, int j0, int j1, float* packed, float* c, int ldc, bool accumulate, float* bias)
    {
        float* tile = stackalloc float[8 * 32 + 16];
        tile = (float*)(((nint)tile + 63) & ~(nint)63);
        for (int pc = 0; pc < k; pc += KC)
        {
            int kc = Math.Min(KC, k - pc);
            bool add = accumulate || pc > 0;
            bool last = pc + kc == k;
            for (int j = j0; j < j1; j += 8)
            {
                int rows = Math.Min(8, j1 - j);
                float* brow = b + (long)j * ldb + pc;
                for (int i0 = 0; i0 < m; i0 += 32)
                {
                    int width = Math.Min(32, m - i0);
                    if (width > 16)
                    {
                        KernelRows8x32(kc, brow, ldb, rows, packed + (long)i0 * k + (long)pc * 32, tile);
                    }
                    else
                    {
                        KernelRows8x16(kc, brow, ldb, rows, packed + (long)i0 * k + (long)pc * 16, tile);
                    }

                    StoreTransposed(tile, rows, width, c + (long)i0 * ldc + j, ldc, add, last && bias != null ? bias + j : null);
                }
            }
        }
    }

    /// <summary>
    /// tile[r × 32 + i] = Σ_p B(r, p)·P(p, i) for r &lt; 8, i &lt; 32, where B's row r starts at b + r × ldb (rows past
    /// <paramref name="rows"/> repeat the last one and are ignored by the caller) and P is a packed 32-wide panel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelRows8x32(int kc, float* b, long ldb, int rows, float* p, float* tile)
    {
        float* b0 = b;
        float* b1 = b + Math.Min(1, rows - 1) * ldb;
        float* b2 = b + Math.Min(2, rows - 1) * ldb;
        float* b3 = b + Math.Min(3, rows - 1) * ldb;
        float* b4 = b + Math.Min(4, rows - 1) * ldb;
        float* b5 = b + Math.Min(5, rows - 1) * ldb;
        float* b6 = b + Math.Min(6, rows - 1) * ldb;
        float* b7 = b + Math.Min(7, rows - 1) * ldb;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int q = 0; q < kc; q++)
        {
            Vector512<float> p0 = Vector512.Load(p);
            Vector512<float> p1 = Vector512.Load(p + 16);
            Vector512<float> bi = Vector512.Create(b0[q]);
            c00 = Vector512.FusedMultiplyAdd(bi, p0, c00);
            c01 = Vector512.FusedMultiplyAdd(bi, p1, c01);
            bi = Vector512.Create(b1[q]);
            c10 = Vector512.FusedMultiplyAdd(bi, p0, c10);
            c11 = Vector512.FusedMultiplyAdd(bi, p1, c11);
            bi = Vector512.Create(b2[q]);
            c20 = Vector512.FusedMultiplyAdd(bi, p0, c20);
            c21 = Vector512.FusedMultiplyAdd(bi, p1, c21);
            bi = Vector512.Create(b3[q]);
            c30 = Vector512.FusedMultiplyAdd(bi, p0, c30);
            c31 = Vector512.FusedMultiplyAdd(bi, p1, c31);
            bi = Vector512.Create(b4[q]);
            c40 = Vector512.FusedMultiplyAdd(bi, p0, c40);
            c41 = Vector512.FusedMultiplyAdd(bi, p1, c41);
            bi = Vector512.Create(b5[q]);
            c50 = Vector512.FusedMultiplyAdd(bi, p0, c50);
            c51 = Vector512.FusedMultiplyAdd(bi, p1, c51);
            bi = Vector512.Create(b6[q]);
            c60 = Vector512.FusedMultiplyAdd(bi, p0, c60);
            c61 = Vector512.FusedMultiplyAdd(bi, p1, c61);
            bi = Vector512.Create(b7[q]);
            c70 = Vector512.FusedMultiplyAdd(bi, p0, c70);
            c71 = Vector512.FusedMultiplyAdd(bi, p1, c71);
            p += 32;
        }

        StoreRow(tile, c00, c01, add: false);
        StoreRow(tile + 32, c10, c11, add: false);
        StoreRow(tile + 64, c20, c21, add: false);
        StoreRow(tile + 96, c30, c31, add: false);
        StoreRow(tile + 128, c40, c41, add: false);
        StoreRow(tile + 160, c50, c51, add: false);
        StoreRow(tile + 192, c60, c61, add: false);
        StoreRow(tile + 224, c70, c71, add: false);
    }

    /// <summary>As <see cref="KernelRows8x32"/> for a 16-wide panel (tile[r × 32 + i], i &lt; 16); k is unrolled twice so sixteen FMA chains are in flight.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelRows8x16(int kc, float* b, long ldb, int rows, float* p, float* tile)
    {
        float* b0 = b;
        float* b1 = b + Math.Min(1, rows - 1) * ldb;
        float* b2 = b + Math.Min(2, rows - 1) * ldb;
        float* b3 = b + Math.Min(3, rows - 1) * ldb;
        float* b4 = b + Math.Min(4, rows - 1) * ldb;
        float* b5 = b + Math.Min(5, rows - 1) * ldb;
        float* b6 = b + Math.Min(6, rows - 1) * ldb;
        float* b7 = b + Math.Min(7, rows - 1) * ldb;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        Vector512<float> d0 = default, d1 = default, d2 = default, d3 = default, d4 = default, d5 = default, d6 = default, d7 = default;
        int q = 0;
        for (; q + 2 <= kc; q += 2)
        {
            Vector512<float> p0 = Vector512.Load(p);
            Vector512<float> p1 = Vector512.Load(p + 16);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(b0[q]), p0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(b1[q]), p0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(b2[q]), p0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(b3[q]), p0, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(b4[q]), p0, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(b5[q]), p0, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(b6[q]), p0, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(b7[q]), p0, c7);
            d0 = Vector512.FusedMultiplyAdd(Vector512.Create(b0[q + 1]), p1, d0);
            d1 = Vector512.FusedMultiplyAdd(Vector512.Create(b1[q + 1]), p1, d1);
            d2 = Vector512.FusedMultiplyAdd(Vector512.Create(b2[q + 1]), p1, d2);
            d3 = Vector512.FusedMultiplyAdd(Vector512.Create(b3[q + 1]), p1, d3);
            d4 = Vector512.FusedMultiplyAdd(Vector512.Create(b4[q + 1]), p1, d4);
            d5 = Vector512.FusedMultiplyAdd(Vector512.Create(b5[q + 1]), p1, d5);
            d6 = Vector512.FusedMultiplyAdd(Vector512.Create(b6[q + 1]), p1, d6);
            d7 = Vector512.FusedMultiplyAdd(Vector512.Create(b7[q + 1]), p1, d7);
            p += 32;
        }

        if (q < kc)
        {
            Vector512<float> p0 = Vector512.Load(p);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(b0[q]), p0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(b1[q]), p0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(b2[q]), p0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(b3[q]), p0, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(b4[q]), p0, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(b5[q]), p0, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(b6[q]), p0, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(b7[q]), p0, c7);
        }

        (c0 + d0).Store(tile);
        (c1 + d1).Store(tile + 32);
        (c2 + d2).Store(tile + 64);
        (c3 + d3).Store(tile + 96);
        (c4 + d4).Store(tile + 128);
        (c5 + d5).Store(tile + 160);
        (c6 + d6).Store(tile + 192);
        (c7 + d7).Store(tile + 224);
    }

    /// <summary>C[i, r] (+)= tile[r × 32 + i] (+ bias[r]) for r &lt; <paramref name="rows"/>, i &lt; <paramref name="cols"/>.</summary>
    private static void StoreTransposed(float* tile, int rows, int cols, float* c, int ldc, bool add, float* bias)
    {
        int i = 0;
        if (rows == 8 && Avx.IsSupported)
        {
            float* t = stackalloc float[64];
            Vector256<float> vb = bias != null ? Vector256.Load(bias) : Vector256<float>.Zero;
            for (; i + 8 <= cols; i += 8)
            {
                if (!add && bias == null)
                {
                    Transpose8x8(tile + i, 32, c + (long)i * ldc, ldc);
                    continue;
                }

                Transpose8x8(tile + i, 32, t, 8);
                for (int r = 0; r < 8; r++)
                {
                    float* crow = c + (long)(i + r) * ldc;
                    Vector256<float> v = Vector256.Load(t + r * 8) + vb;
                    Vector256.Store(add ? Vector256.Load(crow) + v : v, crow);
                }
            }
        }

        for (; i < cols; i++)
        {
            float* crow = c + (long)i * ldc;
            for (int r = 0; r < rows; r++)
            {
                float v = tile[r * 32 + i] + (bias != null ? bias[r] : 0f);
                crow[r] = add ? crow[r] + v : v;
            }
        }
    }
}
