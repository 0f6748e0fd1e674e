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

    /// <summary>Peak working set growth of SDPA forward + backward (B = 1, H = 8, E = 32), lengths in increasing order.</summary>
    private static void Memory()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        long baseline = process.PeakWorkingSet64;
        foreach ((int length, AttentionWeights mode) in new[] { (1024, AttentionWeights.None), (2048, AttentionWeights.None), (4096, AttentionWeights.None), (4096, AttentionWeights.PerHead) })
        {
            using (TensorScope.Begin())
            {
                Tensor q = Tensor.Randn(new Random(1), 1f, 1, 8, length, 32), k = Tensor.Randn(new Random(2), 1f, 1, 8, length, 32), v = Tensor.Randn(new Random(3), 1f, 1, 8, length, 32);
                q.RequiresGrad = k.RequiresGrad = v.RequiresGrad = true;
                var sw = Stopwatch.StartNew();
                q.ScaledDotProductAttention(k, v, causal: true, weights: mode).Output.Sum().Backward();
                double ms = sw.Elapsed.TotalMilliseconds;
                process.Refresh();
                string path = mode == AttentionWeights.None ? "fused" : "materialized";
                Timing.Result($"attention.memory_{path}_s{length}", (process.PeakWorkingSet64 - baseline) / (1024.0 * 1024.0), "MB");
                Timing.Result($"attention.time_{path}_causal_fwd_bwd_s{length}", ms, "ms");
            }
        }
    }
}
