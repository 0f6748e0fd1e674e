using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>GEMM, thin products: one row of op(A), or an inner dimension of 1 (see <see cref="Gemm"/>).</summary>
internal static unsafe partial class Gemm
{
    /// <summary>Columns of C summed together on the thin path, so that the row being summed stays in L1.</summary>
    private const int ThinColumns = 512;

    /// <summary>
    /// Whether <see cref="Thin"/> computes the product: B not transposed and a single row of op(A) (a vector times a
    /// matrix, as attention's context of one decoder step) or k = 1 (an outer product, as that context's gradient),
    /// where packing panels would cost more than the product itself. A transposed B keeps the packed path: its
    /// columns are strided, and a dot product in another order would round differently.
    /// </summary>
    private static bool IsThin(bool transB, int m, int k) => !transB && (m == 1 || k == 1);

    /// <summary>
    /// C (+)= op(A)·B (+ bias) for the shapes <see cref="IsThin"/> accepts, reading A and B in place, every row of C as
    /// the rows of B scaled by that row of op(A). Each element is rounded exactly as the packed micro-kernels round it
    /// (FMAs in order of p from zero within each KC block, then the bias on the last block, then C's value), so one row
    /// scored alone gives the same bits as the same row inside a larger product.
    /// </summary>
    [SkipLocalsInit] // the stack row is written before it is read
    private static void Thin(bool transA, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, float* bias)
    {
        // op(A)(i, p) = a[i·lda + p], or a[p·lda + i] when A is stored transposed.
        long rowStep = transA ? 1 : lda, pStep = transA ? lda : 1;
        float* sum = stackalloc float[ThinColumns];
        for (int i = 0; i < m; i++)
        {
            float* x = a + i * rowStep;
            float* target = c + (long)i * ldc;
            for (int j0 = 0; j0 < n; j0 += ThinColumns)
            {
                int width = Math.Min(ThinColumns, n - j0);
                for (int pc = 0; pc < k; pc += KC)
                {
                    int kc = Math.Min(KC, k - pc);
                    int done = Accumulated(x, pStep, pc, kc, b + j0, ldb, sum, width);
                    if (done < width)
                    {
                        new Span<float>(sum + done, width - done).Clear();
                        for (int p = pc; p < pc + kc; p++)
                        {
                            ScaledRowAdd(x[p * pStep], b + (long)p * ldb + j0 + done, sum + done, width - done);
                        }
                    }

                    bool last = pc + kc == k;
                    Finish(sum, last && bias != null ? bias + j0 : null, target + j0, width, accumulate || pc > 0);
                }
            }
        }
    }

    /// <summary>
    /// sum[j] = Σ_p op(A)(p)·B(p, j) over [pc, pc + kc), FMAs from zero in order of p (the same bits as
    /// <see cref="ScaledRowAdd"/> row after row), for the leading columns in blocks of eight vectors kept in registers
    /// (128 columns with AVX-512, 64 with 256-bit vectors); returns how many columns it summed.
    /// </summary>
    private static int Accumulated(float* x, long pStep, int pc, int kc, float* b, int ldb, float* sum, int width)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j + 128 <= width; j += 128)
            {
                Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
                for (int p = pc; p < pc + kc; p++)
                {
                    Vector512<float> xv = Vector512.Create(x[p * pStep]);
                    float* row = b + (long)p * ldb + j;
                    s0 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(row), s0);
                    s1 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(row + 16), s1);
                    s2 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(row + 32), s2);
                    s3 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(row + 48), s3);
                    s4 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(row + 64), s4);
                    s5 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(row + 80), s5);
                    s6 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(row + 96), s6);
                    s7 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(row + 112), s7);
                }

                float* o = sum + j;
                s0.Store(o);
                s1.Store(o + 16);
                s2.Store(o + 32);
                s3.Store(o + 48);
                s4.Store(o + 64);
                s5.Store(o + 80);
                s6.Store(o + 96);
                s7.Store(o + 112);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; j + 64 <= width; j += 64)
            {
                Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
                for (int p = pc; p < pc + kc; p++)
                {
                    Vector256<float> xv = Vector256.Create(x[p * pStep]);
                    float* row = b + (long)p * ldb + j;
                    s0 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(row), s0);
                    s1 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(row + 8), s1);
                    s2 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(row + 16), s2);
                    s3 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(row + 24), s3);
                    s4 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(row + 32), s4);
                    s5 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(row + 40), s5);
                    s6 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(row + 48), s6);
                    s7 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(row + 56), s7);
                }

                float* o = sum + j;
                s0.Store(o);
                s1.Store(o + 8);
                s2.Store(o + 16);
                s3.Store(o + 24);
                s4.Store(o + 32);
                s5.Store(o + 40);
                s6.Store(o + 48);
                s7.Store(o + 56);
            }
        }

        return j;
    }

    /// <summary>sum[j] = fma(x, row[j], sum[j]) for j in [0, width).</summary>
    private static void ScaledRowAdd(float x, float* row, float* sum, int width)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> xv = Vector512.Create(x);
            for (; j + Vector512<float>.Count <= width; j += Vector512<float>.Count)
            {
                Vector512.FusedMultiplyAdd(xv, Vector512.Load(row + j), Vector512.Load(sum + j)).Store(sum + j);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> xv = Vector256.Create(x);
            for (; j + Vector256<float>.Count <= width; j += Vector256<float>.Count)
            {
                Vector256.FusedMultiplyAdd(xv, Vector256.Load(row + j), Vector256.Load(sum + j)).Store(sum + j);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<float> xv = Vector128.Create(x);
            for (; j + Vector128<float>.Count <= width; j += Vector128<float>.Count)
            {
                Vector128.FusedMultiplyAdd(xv, Vector128.Load(row + j), Vector128.Load(sum + j)).Store(sum + j);
            }
        }

        for (; j < width; j++)
        {
            sum[j] = MathF.FusedMultiplyAdd(x, row[j], sum[j]);
        }
    }

    /// <summary>target[j] = sum[j] (+ bias[j]) (+ target[j]), in the micro-kernels' order.</summary>
    private static void Finish(float* sum, float* bias, float* target, int width, bool add)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // The same two roundings per element as the scalar loop below, eight at a time.
            for (; j + 8 <= width; j += 8)
            {
                Vector256<float> v = Vector256.Load(sum + j);
                if (bias != null)
                {
                    v += Vector256.Load(bias + j);
                }

                (add ? v + Vector256.Load(target + j) : v).Store(target + j);
            }
        }

        for (; j < width; j++)
        {
            float v = sum[j];
            if (bias != null)
            {
                v += bias[j];
            }

            target[j] = add ? v + target[j] : v;
        }
    }
}
