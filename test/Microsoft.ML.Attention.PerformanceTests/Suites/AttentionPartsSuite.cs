using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.PerformanceTests.Suites;

/// <summary>
/// Where multi-head self-attention's time goes (ours only, no PyTorch side): the input projection, the fused
/// attention core on the packed q/k/v, and the output projection, at the shapes of the attention suite.
/// </summary>
internal static class AttentionPartsSuite
{
    internal static void Run()
    {
        var mha = new MultiheadAttention(256, 8, random: new Random(1));
        mha.Eval();
        float[] w = Tensor.Randn(new Random(3), 1f, 768, 256).ToArray();
        foreach (int m in new[] { 1, 8, 32, 128 })
        {
            float[] a = Tensor.Randn(new Random(4), 1f, m, 256).ToArray(), c = new float[m * 768];
            double seconds = Timing.BestSeconds(() => Gemm.Multiply(false, true, m, 768, 256, a, 256, w, 256, c, 768, accumulate: false));
            Timing.Result($"attention_parts.linear_m{m}_n768_k256", seconds * 1e6, "us");
        }

        foreach ((int b, int s) in new[] { (1, 32), (1, 128), (32, 128), (8, 512) })
        {
            Tensor x = Tensor.Randn(new Random(2), 1f, b, s, 256);
            Tensor qkv, attended;
            using (GradMode.NoGrad())
            {
                qkv = x.Linear(mha.InProjWeight!, mha.InProjBias);
                attended = Ops.PackedSelfAttention(qkv, 8, null, null, null, false, null, 0f, null, AttentionWeights.None).Output;
            }

            void Time(string part, Action work, double flops)
            {
                double seconds = Timing.BestSeconds(() =>
                {
                    using TensorScope scope = TensorScope.Begin();
                    using (GradMode.NoGrad())
                    {
                        work();
                    }
                });
                Timing.Result($"attention_parts.b{b}_s{s}.{part}", seconds * 1e6, "us");
                if (flops > 0)
                {
                    Timing.Result($"attention_parts.b{b}_s{s}.{part}.rate", flops / seconds / 1e9, "GFLOP/s");
                }
            }

            double rows = b * s;
            Time("in_proj", () => x.Linear(mha.InProjWeight!, mha.InProjBias), 2 * rows * 256 * 768);
            Time("core", () => Ops.PackedSelfAttention(qkv, 8, null, null, null, false, null, 0f, null, AttentionWeights.None), 4.0 * b * s * s * 256);
            Time("out_proj", () => mha.OutProj.Forward(attended), 2 * rows * 256 * 256);
            Time("whole", () => mha.Forward(x, needWeights: false), 0);
        }
    }
}
