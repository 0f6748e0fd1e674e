using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Support;

namespace Microsoft.ML.Attention.Tests;

/// <summary>The packed GEMM against a naive double-precision product, over edge sizes, all transposes, batches and accumulation.</summary>
[TestClass]
public sealed class GemmTests
{
    [TestMethod]
    [DataRow(1, 1, 1)]
    [DataRow(7, 5, 3)]
    [DataRow(8, 32, 16)]
    [DataRow(33, 65, 17)]
    [DataRow(200, 70, 300)]
    [DataRow(129, 257, 260)]
    [DataRow(64, 4100, 9)]
    [DataRow(32, 768, 256)]
    [DataRow(255, 130, 19)]
    [DataRow(300, 64, 45)]
    public void Multiply_MatchesNaive_AllTransposes(int m, int n, int k)
    {
        var random = new Random(m * 31 + n * 7 + k);
        foreach (bool ta in new[] { false, true })
        {
            foreach (bool tb in new[] { false, true })
            {
                float[] a = Fill(random, m * k), b = Fill(random, k * n), c = Fill(random, m * n);
                float[] expected = Naive(ta, tb, m, n, k, a, b, c, accumulate: true);
                Gemm.Multiply(ta, tb, m, n, k, a, ta ? m : k, b, tb ? k : n, c, n, accumulate: true);
                Check.Close(expected, c, $"GEMM {m}x{n}x{k} transA={ta} transB={tb}", rtol: 1e-4f, atol: 1e-4f);
            }
        }
    }

    [TestMethod]
    [DataRow(17, 8, 1)]
    [DataRow(1, 9, 7)]
    [DataRow(12, 70, 257)]
    [DataRow(16, 64, 300)]
    [DataRow(45, 77, 31)]
    [DataRow(20, 13, 5)]
    [DataRow(32, 768, 256)]
    [DataRow(40, 300, 600)]
    [DataRow(64, 9, 33)]
    [DataRow(63, 1000, 64)]
    public void Multiply_FewRowsTimesTransposedB_MatchesNaive_WithPaddedLeadingDimensions(int m, int n, int k)
    {
        // The path that reads B's rows in place and writes C transposed: leading dimensions wider than the matrices,
        // both accumulation modes, and C's padding must stay untouched.
        var random = new Random(m * 131 + n * 17 + k);
        foreach (bool ta in new[] { false, true })
        {
            foreach (bool accumulate in new[] { false, true })
            {
                int lda = (ta ? m : k) + 3, ldb = k + 5, ldc = n + 7;
                float[] a = Fill(random, (ta ? k : m) * lda), b = Fill(random, n * ldb), c = Fill(random, m * ldc);
                float[] before = (float[])c.Clone();
                Gemm.Multiply(ta, true, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < ldc; j++)
                    {
                        if (j >= n)
                        {
                            Assert.AreEqual(before[i * ldc + j], c[i * ldc + j], $"padding of C at ({i}, {j}) was written");
                            continue;
                        }

                        double s = accumulate ? before[i * ldc + j] : 0;
                        for (int p = 0; p < k; p++)
                        {
                            s += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * b[j * ldb + p];
                        }

                        Assert.AreEqual(s, c[i * ldc + j], 1e-4 + 1e-4 * Math.Abs(s), $"C({i}, {j}) of {m}x{n}x{k} transA={ta} accumulate={accumulate}");
                    }
                }
            }
        }
    }

    [TestMethod]
    [DataRow(1, 1, 1)]
    [DataRow(9, 33, 0)]
    [DataRow(33, 65, 17)]
    [DataRow(129, 257, 600)]
    [DataRow(32, 768, 256)]
    [DataRow(16, 100, 64)]
    [DataRow(300, 64, 45)]
    [DataRow(4096, 40, 8)]
    [DataRow(300, 64, 600)]
    [DataRow(8, 4200, 20)]
    [DataRow(260, 4200, 20)] // shared panels with a second 4096-column block: its bias starts at column 4096
    public void Multiply_WithColumnBias_AddsTheBiasOnceOnEveryPath(int m, int n, int k)
    {
        // Serial, shared-panel, column-split and rows-of-B paths, several k blocks, edge tiles and k = 0: the bias is
        // added exactly once per element whatever the blocking, on top of C when accumulating.
        var random = new Random(m * 7 + n * 3 + k);
        foreach (bool ta in new[] { false, true })
        {
            foreach (bool tb in new[] { false, true })
            {
                foreach (bool accumulate in new[] { false, true })
                {
                    float[] a = Fill(random, m * k), b = Fill(random, k * n), c = Fill(random, m * n), bias = Fill(random, n);
                    float[] expected = Naive(ta, tb, m, n, k, a, b, c, accumulate);
                    for (int i = 0; i < m; i++)
                    {
                        for (int j = 0; j < n; j++)
                        {
                            expected[i * n + j] += bias[j];
                        }
                    }

                    Gemm.Multiply(ta, tb, m, n, k, a, ta ? m : k, b, tb ? k : n, c, n, accumulate, bias);
                    Check.Close(expected, c, $"GEMM+bias {m}x{n}x{k} transA={ta} transB={tb} accumulate={accumulate}", rtol: 1e-4f, atol: 1e-4f);
                }
            }
        }
    }

    [TestMethod]
    [DataRow(1, 1, 1)]
    [DataRow(1, 128, 20)]
    [DataRow(1, 20, 128)]
    [DataRow(1, 2500, 7)] // several 1,024-column blocks of the one-row sum
    [DataRow(20, 128, 1)]
    [DataRow(3, 9, 1)]
    public void Multiply_ThinProducts_MatchNaive_WithPaddedLeadingDimensions(int m, int n, int k)
    {
        // One row of op(A) or an inner dimension of 1 skips the packing: every transpose, both accumulation modes, with
        // and without a bias, leading dimensions wider than the matrices, and C's padding untouched.
        var random = new Random(m * 71 + n * 5 + k);
        foreach (bool ta in new[] { false, true })
        {
            foreach (bool tb in new[] { false, true })
            {
                foreach (bool accumulate in new[] { false, true })
                {
                    foreach (bool withBias in new[] { false, true })
                    {
                        int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 2;
                        float[] a = Fill(random, (ta ? k : m) * lda), b = Fill(random, (tb ? n : k) * ldb), c = Fill(random, m * ldc), bias = Fill(random, n);
                        float[] before = (float[])c.Clone();
                        Gemm.Multiply(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, accumulate, withBias ? bias : default);
                        for (int i = 0; i < m; i++)
                        {
                            for (int j = 0; j < ldc; j++)
                            {
                                string where = $"C({i}, {j}) of {m}x{n}x{k} transA={ta} transB={tb} accumulate={accumulate} bias={withBias}";
                                if (j >= n)
                                {
                                    Assert.AreEqual(before[i * ldc + j], c[i * ldc + j], $"padding {where} was written");
                                    continue;
                                }

                                double s = (accumulate ? before[i * ldc + j] : 0) + (withBias ? bias[j] : 0);
                                for (int p = 0; p < k; p++)
                                {
                                    s += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                                }

                                Assert.AreEqual(s, c[i * ldc + j], 1e-4 + 1e-4 * Math.Abs(s), where);
                            }
                        }
                    }
                }
            }
        }
    }

    [TestMethod]
    [DataRow(40, 20)]
    [DataRow(33, 600)] // several KC blocks
    [DataRow(1100, 7)] // several blocks of columns
    [DataRow(160, 300)] // a block of columns summed in registers, the rest row by row, over two KC blocks
    public void Multiply_OneRowAlone_GivesTheSameBitsAsInsideALargerProduct(int n, int k)
    {
        // Scoring one row (a PredictionEngine) must give exactly what the same row gives in a batch: the one-row path
        // rounds as the packed kernels do. Same for an outer product's rows.
        var random = new Random(n + k);
        const int m = 9;
        foreach (bool ta in new[] { false, true })
        {
            foreach (bool accumulate in new[] { false, true })
            {
                foreach (bool withBias in new[] { false, true })
                {
                    float[] a = Fill(random, m * k), b = Fill(random, k * n), c = Fill(random, m * n), bias = Fill(random, n);
                    float[] all = (float[])c.Clone();
                    Gemm.Multiply(ta, false, m, n, k, a, ta ? m : k, b, n, all, n, accumulate, withBias ? bias : default);
                    for (int i = 0; i < m; i++)
                    {
                        // Row i of op(A) alone: a[i·k ..] as stored, or column i of the stored transpose (stride m).
                        float[] one = c.AsSpan(i * n, n).ToArray();
                        Gemm.Multiply(ta, false, 1, n, k, ta ? a.AsSpan(i) : a.AsSpan(i * k, k), ta ? m : k, b, n, one, n, accumulate, withBias ? bias : default);
                        CollectionAssert.AreEqual(all.AsSpan(i * n, n).ToArray(), one, $"row {i} of {m}x{n}x{k} transA={ta} accumulate={accumulate} bias={withBias}");
                    }

                    float[] outer = (float[])c.Clone(), outerAll = (float[])c.Clone();
                    Gemm.Multiply(false, false, m, n, 1, a, 1, b, n, outer, n, accumulate, withBias ? bias : default);
                    Gemm.Multiply(false, false, m, n, 2, [.. a.Take(m).SelectMany(x => new[] { x, 0f })], 2, [.. b.Take(n), .. new float[n]], n, outerAll, n, accumulate, withBias ? bias : default);
                    CollectionAssert.AreEqual(outerAll, outer, $"outer product {m}x{n} accumulate={accumulate} bias={withBias}");
                }
            }
        }
    }

    [TestMethod]
    public void MultiplyBatched_OneRowAndOuterProducts_MatchNaivePerBatch()
    {
        // A decoder step's attention: weights [B, 1, S] · states [B, S, D], and its gradients (one row against a
        // transposed B, and an outer product), batched over rows as the attention op runs them.
        var random = new Random(5);
        const int batch = 40, s = 20, d = 128;
        foreach ((bool ta, bool tb, int m, int n, int k) in new[] { (false, false, 1, d, s), (false, true, 1, s, d), (true, false, s, d, 1) })
        {
            float[] a = Fill(random, batch * m * k), b = Fill(random, batch * k * n), c = Fill(random, batch * m * n);
            float[] before = (float[])c.Clone();
            Gemm.MultiplyBatched(batch, ta, tb, m, n, k, a, m * k, ta ? m : k, b, k * n, tb ? k : n, c, m * n, n, accumulate: true);
            for (int i = 0; i < batch; i++)
            {
                float[] expected = Naive(ta, tb, m, n, k, a.AsSpan(i * m * k, m * k).ToArray(), b.AsSpan(i * k * n, k * n).ToArray(), before.AsSpan(i * m * n, m * n).ToArray(), accumulate: true);
                Check.Close(expected, c.AsSpan(i * m * n, m * n), $"batch {i} of {m}x{n}x{k} transA={ta} transB={tb}", atol: 1e-4f);
            }
        }
    }

    [TestMethod]
    public void MultiplyBatchedRowDots_MatchesNaive_AddingOrWriting()
    {
        // The attention weights' gradient of a decoder step: [1 × K]·[K × N]ᵀ per row, B's rows read in place (leading
        // dimension wider than K), inner sizes around the vector widths, enough rows to split over the cores.
        var random = new Random(9);
        foreach ((int batch, int n, int k) in new[] { (3, 1, 1), (5, 20, 7), (40, 20, 128), (300, 20, 133), (2, 9, 16) })
        {
            int ldb = k + 3;
            foreach (bool accumulate in new[] { false, true })
            {
                float[] a = Fill(random, batch * k), b = Fill(random, batch * n * ldb), c = Fill(random, batch * n);
                float[] before = (float[])c.Clone();
                Gemm.MultiplyBatchedRowDots(batch, n, k, a, k, b, n * ldb, ldb, c, n, accumulate);
                for (int i = 0; i < batch; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        double s = accumulate ? before[i * n + j] : 0;
                        for (int p = 0; p < k; p++)
                        {
                            s += (double)a[i * k + p] * b[i * n * ldb + j * ldb + p];
                        }

                        Assert.AreEqual(s, c[i * n + j], 1e-4 + 1e-5 * Math.Abs(s), $"C_{i}[{j}] of {batch}×[1×{k}]·[{k}×{n}] accumulate={accumulate}");
                    }
                }
            }
        }
    }

    [TestMethod]
    public void MultiplyBatched_MatchesNaivePerBatch()
    {
        var random = new Random(3);
        const int batch = 37, m = 20, n = 19, k = 11;
        float[] a = Fill(random, batch * m * k), b = Fill(random, batch * k * n), c = new float[batch * m * n];
        Gemm.MultiplyBatched(batch, false, true, m, n, k, a, m * k, k, b, k * n, k, c, m * n, n, accumulate: false);
        for (int i = 0; i < batch; i++)
        {
            float[] expected = Naive(false, true, m, n, k, a.AsSpan(i * m * k, m * k).ToArray(), b.AsSpan(i * k * n, k * n).ToArray(), new float[m * n], accumulate: false);
            Check.Close(expected, c.AsSpan(i * m * n, m * n), $"batch {i}", atol: 1e-4f);
        }
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public void Multiply_FromManyThreadsAtOnce_IsCorrectAndNeverStalls()
    {
        const int n = 96;
        var random = new Random(9);
        float[] a = Fill(random, n * n), b = Fill(random, n * n);
        float[] expected = Naive(false, false, n, n, n, a, b, new float[n * n], accumulate: false);
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            for (int round = 0; round < 50; round++)
            {
                float[] c = new float[n * n];
                Gemm.Multiply(false, false, n, n, n, a, n, b, n, c, n, accumulate: false);
                Check.Close(expected, c, "concurrent GEMM", atol: 1e-4f);
            }
        });
    }

    [TestMethod]
    public void Multiply_RejectsBuffersTooSmall()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Gemm.Multiply(false, false, 4, 4, 4, new float[15], 4, new float[16], 4, new float[16], 4, false));
        StringAssert.Contains(e.Message, "operand A");
        var biasError = Assert.ThrowsExactly<ArgumentException>(() => Gemm.Multiply(false, false, 4, 4, 4, new float[16], 4, new float[16], 4, new float[16], 4, false, new float[3]));
        StringAssert.Contains(biasError.Message, "3 values for 4 columns");
    }

    private static float[] Naive(bool ta, bool tb, int m, int n, int k, float[] a, float[] b, float[] c, bool accumulate)
    {
        var r = new float[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = accumulate ? c[i * n + j] : 0;
                for (int p = 0; p < k; p++)
                {
                    s += (double)(ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                }

                r[i * n + j] = (float)s;
            }
        }

        return r;
    }

    private static float[] Fill(Random random, int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return x;
    }
}
