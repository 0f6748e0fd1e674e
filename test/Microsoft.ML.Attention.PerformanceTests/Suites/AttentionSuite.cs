using System.Diagnostics;
using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.PerformanceTests.Suites;

/// <summary>
/// Multi-head self-attention (d = 256, 8 heads) forward in evaluation mode at (batch, sequence) = (1,32), (1,128),
/// (32,128), (8,512), without weights (fused kernel) and with averaged weights (PyTorch's default need_weights);
/// then the memory of fused attention forward + backward at growing sequence length, against the materialized path.
/// </summary>
internal static class AttentionSuite
{
    internal static void Run()
    {
        var mha = new MultiheadAttention(256, 8, random: new Random(1));
        mha.Eval();
        foreach ((int b, int s) in new[] { (1, 32), (1, 128), (32, 128), (8, 512) })
        {
            Tensor x = Tensor.Randn(new Random(2), 1f, b, s, 256);
            foreach (bool weights in new[] { false, true })
            {
                double seconds = Timing.BestSeconds(() =>
                {
                    using TensorScope scope = TensorScope.Begin();
                    using (GradMode.NoGrad())
                    {
                        mha.Forward(x, needWeights: weights);
                    }
                });
                Timing.Result($"attention.mha_b{b}_s{s}{(weights ? "_weights" : "")}.ours", seconds * 1e3, "ms");
            }
        }

        Memory();
    }

    /// <summary>
    /// Peak memory of SDPA forward + backward (B = 1, H = 8, E = 32, causal) at growing length, fused and materialized,
    /// each length in a fresh process so that no buffer pooled by an earlier length hides or inflates the growth.
    /// </summary>
    private static void Memory()
    {
        foreach ((int length, string path) in new[] { (1024, "fused"), (2048, "fused"), (4096, "fused"), (8192, "fused"), (1024, "materialized"), (4096, "materialized") })
        {
            string dll = typeof(AttentionSuite).Assembly.Location;
            var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string arg in new[] { dll, "suite", "attention-memory", length.ToString(System.Globalization.CultureInfo.InvariantCulture), path })
            {
                start.ArgumentList.Add(arg);
            }

            using Process child = Process.Start(start) ?? throw new InvalidOperationException("Could not start the memory measurement process.");
            string output = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            if (child.ExitCode != 0)
            {
                throw new InvalidOperationException($"The memory measurement at length {length} ({path}) failed with exit code {child.ExitCode}.");
            }

            Console.Write(output);
        }
    }

    /// <summary>
    /// In a fresh process: warms every code path up at a short length (long enough for the JIT's optimized tier), then
    /// reports for the first forward + backward at <paramref name="length"/> the peak working set growth and the managed
    /// bytes allocated (every buffer of the call, inputs and gradients included: an upper bound of what it holds at
    /// once, exact and free of the GC's heap sizing), then the best time of three more.
    /// </summary>
    internal static void MemoryAt(int length, string path)
    {
        AttentionWeights mode = path == "fused" ? AttentionWeights.None : AttentionWeights.PerHead;
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 1.0)
        {
            Run(64);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        long baseline = process.PeakWorkingSet64;
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        Run(length);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        process.Refresh();
        long peak = process.PeakWorkingSet64;
        double ms = Math.Min(Run(length), Math.Min(Run(length), Run(length)));
        Timing.Result($"attention.memory_{path}_s{length}", (peak - baseline) / (1024.0 * 1024.0), "MB");
        Timing.Result($"attention.allocated_{path}_s{length}", allocated / (1024.0 * 1024.0), "MB");
        Timing.Result($"attention.time_{path}_causal_fwd_bwd_s{length}", ms, "ms");

        double Run(int l)
        {
            using TensorScope scope = TensorScope.Begin();
            Tensor q = Tensor.Randn(new Random(1), 1f, 1, 8, l, 32), k = Tensor.Randn(new Random(2), 1f, 1, 8, l, 32), v = Tensor.Randn(new Random(3), 1f, 1, 8, l, 32);
            q.RequiresGrad = k.RequiresGrad = v.RequiresGrad = true;
            var sw = Stopwatch.StartNew();
            q.ScaledDotProductAttention(k, v, causal: true, weights: mode).Output.Sum().Backward();
            return sw.Elapsed.TotalMilliseconds;
        }
    }
}
