using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>GEMM, a batch of one row against a transposed matrix as dot products (see <see cref="Gemm"/>).</summary>
internal static unsafe partial class Gemm
{
    /// <summary>
    /// C_i[j] (+)= Σ_p a_i[p]·B_i[j, p] for every batch matrix i, j &lt; <paramref name="n"/>, p &lt; <paramref name="k"/>:
    /// one row against Bᵀ, each element a dot product of two contiguous rows, with no packing. The sum runs in another
    /// order than the packed kernels' (so a row's bits would depend on the path), which is why only gradients use it
    /// (the attention weights' gradient of a decoder step, [1 × D]·[D × S] per row), never a forward pass.
    /// </summary>
    internal static void MultiplyBatchedRowDots(int batch, int n, int k, ReadOnlySpan<float> a, int strideA, ReadOnlySpan<float> b, int strideB, int ldb,
        Span<float> c, int strideC, bool accumulate)
    {
        if (batch == 0 || n == 0)
        {
            return;
        }

        CheckExtent(1, k, k, a.Length - (batch - 1) * strideA, "A");
        CheckExtent(n, k, ldb, b.Length - (batch - 1) * strideB, "B");
        CheckExtent(1, n, n, c.Length - (batch - 1) * strideC, "C");
        fixed (float* pa0 = a, pb0 = b, pc0 = c)
        {
            nint pa = (nint)pa0, pb = (nint)pb0, pc = (nint)pc0;
            int chunks = 2L * n * k * batch < ParallelFlops ? 1 : Math.Min(batch, CpuParallel.Degree * 4);
            CpuParallel.For(chunks, chunk =>
            {
                int start = (int)((long)batch * chunk / chunks), end = (int)((long)batch * (chunk + 1) / chunks);
                for (int i = start; i < end; i++)
                {
                    float* x = (float*)pa + (long)i * strideA, rows = (float*)pb + (long)i * strideB, target = (float*)pc + (long)i * strideC;
                    for (int j = 0; j < n; j++)
                    {
                        float dot = Dot(x, rows + (long)j * ldb, k);
                        target[j] = accumulate ? target[j] + dot : dot;
                    }
                }
            });
        }
    }

    private static float Dot(float* x, float* y, int k) =>
        TensorPrimitives.Dot(new ReadOnlySpan<float>(x, k), new ReadOnlySpan<float>(y, k));
}
