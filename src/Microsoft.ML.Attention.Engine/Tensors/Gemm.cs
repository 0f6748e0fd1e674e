using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// Single-precision matrix multiply C = op(A)·op(B) (+ C), row-major, with op = identity or transpose.
/// BLIS-style: B is packed into NR-wide panels of KC rows, A into MR-tall panels, and an MR×NR register-blocked
/// FMA micro-kernel (Vector512 8×32, or Vector256 6×16 where AVX-512 is absent) walks the packed panels.
/// A few rows against a transposed B (a linear layer on a short sequence) are computed as the transposed product
/// instead, reading B's rows in place so that the weights are not repacked on every call.
/// Large products are split over both cores by columns or rows; batches are split by batch index.
/// </summary>
internal static unsafe class Gemm
{
    private const int KC = 256;
    private const int MC = 192;
    private const int NC = 4096;
    private const long ParallelFlops = 1L << 18;
    private const int SharedPanelsRows = 256;
    private const int RowsOfBMinRows = 12;
    private const int RowsOfBMaxRows = 64;

    private static readonly bool s_wide = Vector512.IsHardwareAccelerated;

    [ThreadStatic]
    private static float[]? t_packA;

    [ThreadStatic]
    private static float[]? t_packB;

    [ThreadStatic]
    private static float[]? t_sharedB;

    [ThreadStatic]
    private static float[]? t_packAt;

    internal static int MR => s_wide ? 8 : 6;

    internal static int NR => s_wide ? 32 : 16;

    /// <summary>
    /// C[m×n] = op(A)[m×k] · op(B)[k×n], added to C when <paramref name="accumulate"/>; with <paramref name="columnBias"/>
    /// (n values) also + bias[j] in column j, added as the micro-kernel stores its tile rather than in another pass.
    /// </summary>
    internal static void Multiply(
        bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate, ReadOnlySpan<float> columnBias = default)
    {
        CheckExtent(transA ? k : m, transA ? m : k, lda, a.Length, "A");
        CheckExtent(transB ? n : k, transB ? k : n, ldb, b.Length, "B");
        CheckExtent(m, n, ldc, c.Length, "C");
        bool hasBias = !columnBias.IsEmpty;
        if (hasBias && columnBias.Length < n)
        {
            throw new ArgumentException($"GEMM column bias: {columnBias.Length} values for {n} columns.", nameof(columnBias));
        }

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        fixed (float* pbias = columnBias)
        {
            MultiplyPinned(transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, hasBias ? pbias : null);
        }
    }

    /// <summary>As <see cref="Multiply"/>, on the calling thread only: for small blocks inside a kernel that is already parallel.</summary>
    internal static void MultiplySerial(
        bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate)
    {
        CheckExtent(transA ? k : m, transA ? m : k, lda, a.Length, "A");
        CheckExtent(transB ? n : k, transB ? k : n, ldb, b.Length, "B");
        CheckExtent(m, n, ldc, c.Length, "C");
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            Serial(transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, null);
        }
    }

    /// <summary>Batched form: matrix i of A, B and C starts at i × the stride of each.</summary>
    internal static void MultiplyBatched(
        int batch, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int strideA, int lda, ReadOnlySpan<float> b, int strideB, int ldb,
        Span<float> c, int strideC, int ldc, bool accumulate)
    {
        if (batch == 0)
        {
            return;
        }

        CheckExtent(transA ? k : m, transA ? m : k, lda, a.Length - (batch - 1) * strideA, "A");
        CheckExtent(transB ? n : k, transB ? k : n, ldb, b.Length - (batch - 1) * strideB, "B");
        CheckExtent(m, n, ldc, c.Length - (batch - 1) * strideC, "C");
        fixed (float* pa0 = a)
        fixed (float* pb0 = b)
        fixed (float* pc0 = c)
        {
            long flops = 2L * m * n * k;
            if (batch == 1 || flops * batch < ParallelFlops || flops >= 64 * ParallelFlops)
            {
                for (int i = 0; i < batch; i++)
                {
                    MultiplyPinned(transA, transB, m, n, k, pa0 + (long)i * strideA, lda, pb0 + (long)i * strideB, ldb, pc0 + (long)i * strideC, ldc, accumulate, null);
                }

                return;
            }

            nint pa = (nint)pa0, pb = (nint)pb0, pc = (nint)pc0;
            int chunks = Math.Min(batch, CpuParallel.Degree * 4);
            CpuParallel.For(chunks, chunk =>
            {
                int start = (int)((long)batch * chunk / chunks), end = (int)((long)batch * (chunk + 1) / chunks);
                for (int i = start; i < end; i++)
                {
                    Serial(transA, transB, m, n, k, (float*)pa + (long)i * strideA, lda, (float*)pb + (long)i * strideB, ldb, (float*)pc + (long)i * strideC, ldc, accumulate, null);
                }
            });
        }
    }

    private static void CheckExtent(int rows, int cols, int ld, int length, string name)
    {
        if (rows == 0 || cols == 0)
        {
            return;
        }

        if (ld < cols || (long)(rows - 1) * ld + cols > length)
        {
            throw new ArgumentException($"GEMM operand {name}: a {rows}×{cols} matrix with leading dimension {ld} does not fit in {length} elements.");
        }
    }

    private static void MultiplyPinned(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, float* bias)
    {
        long flops = 2L * m * n * k;
        if (flops < ParallelFlops || CpuParallel.Degree == 1)
        {
            Serial(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias);
            return;
        }

        if (UseRowsOfB(transB, m, n, k))
        {
            RowsOfB(transA, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias, CpuParallel.Degree);
            return;
        }

        // Many rows: B packed once by all cores together, each core multiplying its rows against all of it. Few rows (or
        // too few columns to split): each core packs and reads only its own columns of B, which stays in its cache.
        int parts = CpuParallel.Degree;
        if (m >= parts * MR * 2 && (m >= SharedPanelsRows || n < parts * NR * 2))
        {
            SharedPanels(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias, parts);
            return;
        }

        // Few rows: split the columns instead; each core packs its own panels.
        nint pa = (nint)a, pb = (nint)b, pc = (nint)c, pbias = (nint)bias;
        int step = RoundUp((n + parts - 1) / parts, NR);
        int count = (n + step - 1) / step;
        CpuParallel.For(count, p =>
        {
            int j0 = p * step, nn = Math.Min(step, n - j0);
            float* bj = transB ? (float*)pb + (long)j0 * ldb : (float*)pb + j0;
            Serial(transA, transB, m, nn, k, (float*)pa, lda, bj, ldb, (float*)pc + j0, ldc, accumulate, pbias == 0 ? null : (float*)pbias + j0);
        });
    }

    /// <summary>
    /// The multi-core path: each KC×NC block of B is packed once, by all cores together, and then every core
    /// multiplies its own share of the rows of A against it, packing only its rows.
    /// </summary>
    private static void SharedPanels(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, float* bias, int parts)
    {
        int mr = MR, nr = NR;
        int ncMax = Math.Min(NC, RoundUp(n, nr));
        float* packB = Aligned(ref t_sharedB, Math.Min(KC, k) * ncMax);
        nint pa = (nint)a, pb = (nint)b, pc = (nint)c, pp = (nint)packB, pbias = (nint)bias;
        int rowStep = RoundUp((m + parts - 1) / parts, mr);
        int rowParts = (m + rowStep - 1) / rowStep;
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            int panels = (nc + nr - 1) / nr;
            for (int p0 = 0; p0 < k; p0 += KC)
            {
                int kc = Math.Min(KC, k - p0), pcur = p0, jcur = jc;
                bool add = accumulate || p0 > 0;
                nint blockBias = p0 + kc == k && pbias != 0 ? pbias + jc * sizeof(float) : 0;
                CpuParallel.For(parts, part =>
                {
                    int first = panels * part / parts, last = panels * (part + 1) / parts;
                    int j0 = first * nr, width = Math.Min(last * nr, nc) - j0;
                    if (width > 0)
                    {
                        PackB(transB, (float*)pb, ldb, pcur, jcur + j0, kc, width, (float*)pp + (long)j0 * kc, nr);
                    }
                });
                CpuParallel.For(rowParts, part =>
                {
                    int i0 = part * rowStep, rows = Math.Min(rowStep, m - i0);
                    Macro(transA, (float*)pa, lda, i0, rows, pcur, kc, (float*)pp, nc, (float*)pc + jcur, ldc, add, (float*)blockBias);
                });
            }
        }
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    private static float* Aligned(ref float[]? buffer, int floats)
    {
        if (buffer is null || buffer.Length < floats + 16)
        {
            buffer = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
        }

        float* p = (float*)Unsafe.AsPointer(ref buffer[0]);
        return (float*)(((nint)p + 63) & ~(nint)63);
    }

    private static void Serial(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, float* bias)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            for (int i = 0; i < m; i++)
            {
                var row = new Span<float>(c + (long)i * ldc, n);
                if (!accumulate)
                {
                    row.Clear();
                }

                if (bias != null)
                {
                    TensorPrimitives.Add(row, new ReadOnlySpan<float>(bias, n), row);
                }
            }

            return;
        }

        if (UseRowsOfB(transB, m, n, k))
        {
            RowsOfB(transA, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias, parts: 1);
            return;
        }

        int nr = NR;
        int ncMax = Math.Min(NC, RoundUp(n, nr));
        int kcMax = Math.Min(KC, k);
        float* packB = Aligned(ref t_packB, kcMax * ncMax);

        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                bool add = accumulate || pc > 0;
                PackB(transB, b, ldb, pc, jc, kc, nc, packB, nr);
                Macro(transA, a, lda, 0, m, pc, kc, packB, nc, c + jc, ldc, add, pc + kc == k && bias != null ? bias + jc : null);
            }
        }
    }

    /// <summary>
    /// Whether C = op(A)·Bᵀ is better computed as its transpose Cᵀ = B·op(A)ᵀ with B's rows read in place: a few rows
    /// of A against a wide B with a long inner dimension (a linear layer on a short sequence), where packing B would
    /// cost more than the product itself. Only with the AVX-512 kernels, and only where the 32/16-wide panels of
    /// op(A)ᵀ are nearly full (measured: 12–16, 28–32 and 60–64 rows gain 15–25%; partly empty panels lose).
    /// Attention blocks (inner dimension = head size) keep the packed path.
    /// </summary>
    private static bool UseRowsOfB(bool transB, int m, int n, int k)
    {
        if (!transB || !s_wide || m < RowsOfBMinRows || m > RowsOfBMaxRows || n < 64 || k < 64)
        {
            return false;
        }

        int rest = m % 32;
        int lanes = m - rest + (rest == 0 ? 0 : rest > 16 ? 32 : 16);
        return lanes - m <= 4;
    }

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

                for (; p < kc; p++, d += 8)
                {
                    d[0] = s0[p];
                    d[1] = s0[l + p];
                    d[2] = s0[2 * l + p];
                    d[3] = s0[3 * l + p];
                    d[4] = s0[4 * l + p];
                    d[5] = s0[5 * l + p];
                    d[6] = s0[6 * l + p];
                    d[7] = s0[7 * l + p];
                }
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

    /// <summary>Writes the 8×8 block at <paramref name="src"/> (rows <paramref name="ld"/> apart) transposed: column j to the 8 floats at dst + j × <paramref name="ldd"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, long ld, float* dst, int ldd)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + ld);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * ld), r3 = Avx.LoadVector256(src + 3 * ld);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * ld), r5 = Avx.LoadVector256(src + 5 * ld);
        Vector256<float> r6 = Avx.LoadVector256(src + 6 * ld), r7 = Avx.LoadVector256(src + 7 * ld);
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + 1 * ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * ldd, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * ldd, Avx.Permute2x128(u3, u7, 0x31));
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
