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
                    new Span<float>(sum, width).Clear();
                    for (int p = pc; p < pc + kc; p++)
                    {
                        ScaledRowAdd(x[p * pStep], b + (long)p * ldb + j0, sum, width);
                    }

                    bool last = pc + kc == k;
                    Finish(sum, last && bias != null ? bias + j0 : null, target + j0, width, accumulate || pc > 0);
                }
            }
        }
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
        for (int j = 0; j < width; j++)
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
