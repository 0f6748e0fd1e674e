using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.PerformanceTests.Suites;

/// <summary>
/// Where the CNN suite's time goes (ours only): each layer of the anchor network on its own, forward without a tape at
/// batch 256, and forward + backward at batch 128, in ms per call (GFLOP/s for the convolutions).
/// </summary>
internal static class CnnPartsSuite
{
    internal static void Run()
    {
        if (Environment.GetEnvironmentVariable("CNN_PARTS_EVAL_NET") != "0")
        {
            RunEvalNetwork();
        }

        var random = new Random(1);
        (string Name, Module<Tensor, Tensor> Layer, int[] Input, double MacsPerImage)[] parts =
        [
            ("conv1_1to32_28", new Conv2d(1, 32, 3, padding: 1, random: random), [1, 28, 28], 28 * 28 * 32 * 9),
            ("conv2_32to64_28", new Conv2d(32, 64, 3, padding: 1, random: random), [32, 28, 28], 28 * 28 * 64 * 288),
            ("conv3_64to128_14", new Conv2d(64, 128, 3, padding: 1, random: random), [64, 14, 14], 14 * 14 * 128 * 576),
            ("relu_64x28", new Activation(ActivationKind.Relu), [64, 28, 28], 0),
            ("maxpool_64x28", new Pool2d(PoolKind.Max, 2), [64, 28, 28], 0),
            ("se_64x14", new SqueezeExcite(64, random), [64, 14, 14], 0),
            ("cbam_64x14", new Cbam(64, random), [64, 14, 14], 0),
            ("cbam_128x7", new Cbam(128, random), [128, 7, 7], 0),
            ("cbam_32x28", new Cbam(32, random), [32, 28, 28], 0),
            ("channel_attention_32x28", new ChannelAttention(32, random), [32, 28, 28], 0),
            ("spatial_attention_32x28", new SpatialAttention(random), [32, 28, 28], 0),
            ("spatial_conv7_2to1_28", new Conv2d(2, 1, 7, padding: 3, bias: false, random: random), [2, 28, 28], 28 * 28 * 98),
            ("batchnorm_32x28", new BatchNorm(32), [32, 28, 28], 0),
            ("gap_128x7", new AdaptiveAvgPool2d(1, 1), [128, 7, 7], 0),
        ];
        // The products the convolutions make (weights × unfolded chunk of images), on their own.
        foreach ((string name, int m, int n, int k) in new[] { ("conv2", 64, 14112, 288), ("conv3", 128, 7252, 576) })
        {
            float[] a = Tensor.Randn(new Random(4), 1f, m, k).ToArray(), b = Tensor.Randn(new Random(5), 1f, k, n).ToArray(), c = new float[m * n];
            double seconds = Timing.BestSeconds(() => Gemm.Multiply(false, false, m, n, k, a, k, b, n, c, n, accumulate: false), rounds: 3);
            Report($"cnn_parts.gemm_{name}_m{m}_n{n}_k{k}", seconds, (double)m * n * k);
        }

        foreach ((string name, Module<Tensor, Tensor> layer, int[] shape, double macs) in parts)
        {
            Tensor infer = Tensor.Randn(new Random(2), 1f, [256, .. shape]);
            layer.Eval();
            double seconds = Timing.BestSeconds(() =>
            {
                using TensorScope scope = TensorScope.Begin();
                using (GradMode.NoGrad())
                {
                    layer.Forward(infer);
                }
            }, rounds: 3);
            Report($"cnn_parts.{name}.infer_b256", seconds, 256 * macs);
            Tensor train = Tensor.Randn(new Random(3), 1f, [128, .. shape]);
            train.RequiresGrad = true;
            layer.Train();
            seconds = Timing.BestSeconds(() =>
            {
                using TensorScope scope = TensorScope.Begin();
                layer.Forward(train).Sum().Backward();
            }, rounds: 3);
            Report($"cnn_parts.{name}.train_b128", seconds, 3 * 128 * macs);
        }
    }

    /// <summary>The Fashion-MNIST eval's network (build/eval.sh fmnist), one training step at batch 128, and its parts.</summary>
    internal static void RunEvalNetwork()
    {
        var options = new Microsoft.ML.Attention.Models.ImageAttentionOptions
        {
            Attention = Microsoft.ML.Attention.Models.ImageAttentionKind.Cbam, StageChannels = [32, 64], ConvolutionsPerStage = 2,
            Pooling = Microsoft.ML.Attention.Models.ImagePooling.Flatten, EmbeddingDimension = 256, Dropout = 0.3f,
        };
        foreach (var kind in new[] { Microsoft.ML.Attention.Models.ImageAttentionKind.None, Microsoft.ML.Attention.Models.ImageAttentionKind.Cbam })
        {
            options.Attention = kind;
            var net = new Microsoft.ML.Attention.Models.ImageAttentionNetwork(options, new Microsoft.ML.Attention.Models.ImageShape(1, 28, 28), 10, new Random(1));
            var optimizer = new Microsoft.ML.Attention.Training.AdamW(net.Parameters(), 1e-3f);
            var loss = new Microsoft.ML.Attention.Training.CrossEntropyLoss();
            Tensor x = Tensor.Randn(new Random(2), 1f, 128, 1, 28, 28);
            int[] labels = [.. Enumerable.Range(0, 128).Select(i => i % 10)];
            net.Train();
            double forward = Timing.BestSeconds(() =>
            {
                using TensorScope scope = TensorScope.Begin();
                net.Forward(x);
            }, rounds: 3);
            double step = Timing.BestSeconds(() =>
            {
                using TensorScope scope = TensorScope.Begin();
                optimizer.ZeroGrad();
                loss.Forward(net.Forward(x).Logits, labels).Backward();
                optimizer.Step();
            }, rounds: 3);
            Timing.Result($"cnn_parts.eval_net_{kind}.train_forward_b128.ms", forward * 1e3, "ms");
            Timing.Result($"cnn_parts.eval_net_{kind}.train_step_b128", 128 / step, "images/s");
        }
    }

    private static void Report(string name, double seconds, double macs)
    {
        Timing.Result(name + ".ms", seconds * 1e3, "ms");
        if (macs > 0)
        {
            Timing.Result(name + ".gflops", 2 * macs / seconds / 1e9, "GFLOP/s");
        }
    }
}
