using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.PerformanceTests.Suites;

/// <summary>The CPU's fp32 FMA peak, measured with independent FMA chains on every core.</summary>
internal static class PeakSuite
{
    private const int Iterations = 20_000_000;

    internal static void Run()
    {
        double gflops = Measure();
        Timing.Result("peak.fma_fp32", gflops, "GFLOP/s");
    }

    internal static double Measure()
    {
        int threads = CpuParallel.Degree;
        int lanes = Vector512.IsHardwareAccelerated ? 16 : 8;
        Chain(1000);
        double best = 0;
        for (int round = 0; round < 3; round++)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            CpuParallel.For(threads, _ => Chain(Iterations));
            double s = sw.Elapsed.TotalSeconds;
            best = Math.Max(best, threads * (double)Iterations * 12 * lanes * 2 / s / 1e9);
        }

        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chain(int iterations)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> m = Vector512.Create(0.999999f), add = Vector512.Create(1e-7f);
            Vector512<float> a0 = Vector512.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
            for (int i = 0; i < iterations; i++)
            {
                a0 = Vector512.FusedMultiplyAdd(a0, m, add); a1 = Vector512.FusedMultiplyAdd(a1, m, add);
                a2 = Vector512.FusedMultiplyAdd(a2, m, add); a3 = Vector512.FusedMultiplyAdd(a3, m, add);
                a4 = Vector512.FusedMultiplyAdd(a4, m, add); a5 = Vector512.FusedMultiplyAdd(a5, m, add);
                a6 = Vector512.FusedMultiplyAdd(a6, m, add); a7 = Vector512.FusedMultiplyAdd(a7, m, add);
                a8 = Vector512.FusedMultiplyAdd(a8, m, add); a9 = Vector512.FusedMultiplyAdd(a9, m, add);
                a10 = Vector512.FusedMultiplyAdd(a10, m, add); a11 = Vector512.FusedMultiplyAdd(a11, m, add);
            }

            return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
        }

        Vector256<float> n = Vector256.Create(0.999999f), d = Vector256.Create(1e-7f);
        Vector256<float> b0 = Vector256.Create(1f), b1 = b0, b2 = b0, b3 = b0, b4 = b0, b5 = b0, b6 = b0, b7 = b0, b8 = b0, b9 = b0, b10 = b0, b11 = b0;
        for (int i = 0; i < iterations; i++)
        {
            b0 = Vector256.FusedMultiplyAdd(b0, n, d); b1 = Vector256.FusedMultiplyAdd(b1, n, d);
            b2 = Vector256.FusedMultiplyAdd(b2, n, d); b3 = Vector256.FusedMultiplyAdd(b3, n, d);
            b4 = Vector256.FusedMultiplyAdd(b4, n, d); b5 = Vector256.FusedMultiplyAdd(b5, n, d);
            b6 = Vector256.FusedMultiplyAdd(b6, n, d); b7 = Vector256.FusedMultiplyAdd(b7, n, d);
            b8 = Vector256.FusedMultiplyAdd(b8, n, d); b9 = Vector256.FusedMultiplyAdd(b9, n, d);
            b10 = Vector256.FusedMultiplyAdd(b10, n, d); b11 = Vector256.FusedMultiplyAdd(b11, n, d);
        }

        return Vector256.Sum(b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7 + b8 + b9 + b10 + b11);
    }
}
