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
/// instead, reading B's rows in place so that the weights are not repacked on every call; one row of A, or an inner
/// dimension of 1, against B as stored is computed without packing at all.
/// Large products are split over both cores by columns or rows; batches are split by batch index.
/// </summary>
internal static unsafe partial class Gemm
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
        // More row blocks than cores (at least 4·MR rows each), taken in turn: a core that falls behind (its caches
        // colder, its turn on the host later) takes fewer instead of holding the other up. Packed B is shared, so a
        // finer split costs no extra packing.
        int rowParts = Math.Clamp(m / (4 * mr), 1, parts * 4);
        int rowStep = RoundUp((m + rowParts - 1) / rowParts, mr);
        rowParts = (m + rowStep - 1) / rowStep;
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            int panels = (nc + nr - 1) / nr;
            for (int p0 = 0; p0 < k; p0 += KC)
            {
                int kc = Math.Min(KC, k - p0), pcur = p0, jcur = jc;
                bool add = accumulate || p0 > 0;
                nint blockBias = p0 + kc == k && pbias != 0 ? pbias + jc * sizeof(float) : 0;
                int packParts = Math.Min(panels, parts * 4);
                CpuParallel.For(packParts, part =>
                {
                    int first = panels * part / packParts, last = panels * (part + 1) / packParts;
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
        // 15 floats of slack for the alignment, and 16 past the end for packers whose last vector store runs over.
        if (buffer is null || buffer.Length < floats + 32)
        {
            buffer = GC.AllocateUninitializedArray<float>(floats + 32, pinned: true);
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

        if (IsThin(transB, m, k))
        {
            Thin(transA, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias);
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
}
