using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.PerformanceTests.Suites;

/// <summary>Square GEMM at 128..2048 and the two attention-shaped batched GEMMs, in GFLOP/s.</summary>
internal static class GemmSuite
{
    internal static void Run()
    {
        var random = new Random(1);
        foreach (int n in new[] { 128, 256, 512, 1024, 2048 })
        {
            float[] a = Fill(random, n * n), b = Fill(random, n * n), c = new float[n * n];
            double s = Timing.BestSeconds(() => Gemm.Multiply(false, false, n, n, n, a, n, b, n, c, n, accumulate: false));
            Timing.Result($"gemm.square{n}.ours", 2.0 * n * n * n / s / 1e9, "GFLOP/s");
        }

        // One core, a product that stays in cache: what the micro-kernel itself reaches.
        {
            float[] a = Fill(random, 192 * 256), b = Fill(random, 256 * 512), c = new float[192 * 512];
            double s = Timing.BestSeconds(() => Gemm.MultiplySerial(false, false, 192, 512, 256, a, 256, b, 512, c, 512, accumulate: false));
            Timing.Result("gemm.serial_192x512x256.ours", 2.0 * 192 * 512 * 256 / s / 1e9, "GFLOP/s");
        }

        Batched(random, "gemm.batched_256x128x64x128.ours", 256, 128, 64, 128);
        Batched(random, "gemm.batched_256x128x128x64.ours", 256, 128, 128, 64);
    }

    private static void Batched(Random random, string name, int batch, int m, int k, int n)
    {
        float[] a = Fill(random, batch * m * k), b = Fill(random, batch * k * n), c = new float[batch * m * n];
        double s = Timing.BestSeconds(() => Gemm.MultiplyBatched(batch, false, false, m, n, k, a, m * k, k, b, k * n, n, c, m * n, n, accumulate: false));
        Timing.Result(name, 2.0 * batch * m * n * k / s / 1e9, "GFLOP/s");
    }

    private static float[] Fill(Random random, int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (float)(random.NextDouble() - 0.5);
        }

        return x;
    }
}
