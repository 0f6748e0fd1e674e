using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.PerformanceTests.Suites;

/// <summary>
/// The Fashion-MNIST CNN of the PyTorch anchor (issue 12): conv3×3 1→32, ReLU, conv 32→64, ReLU, max-pool 2,
/// [attention on 64], conv 64→128, ReLU, max-pool 2, [attention on 128], global average pooling, linear 128→10;
/// plain, with squeeze-and-excitation and with CBAM after each of the two last stages (timm defaults). Training steps
/// at batch 128 (forward, cross-entropy, backward, Adam) and inference without a tape at batch 256, images/s.
/// build/torch_bench.py cnn builds the same network.
/// </summary>
internal static class CnnSuite
{
    internal static void Run()
    {
        foreach (string kind in new[] { "plain", "se", "cbam" })
        {
            var random = new Random(1);
            Sequential net = Build(kind, random);
            Tensor train = Tensor.Randn(new Random(2), 1f, 128, 1, 28, 28);
            int[] labels = [.. Enumerable.Range(0, 128).Select(i => i % 10)];
            var optimizer = new Adam(net.Parameters(), 1e-3f);
            var loss = new CrossEntropyLoss();
            net.Train();
            double step = Timing.BestSeconds(() =>
            {
                using TensorScope scope = TensorScope.Begin();
                optimizer.ZeroGrad();
                loss.Forward(net.Forward(train), labels).Backward();
                optimizer.Step();
            }, rounds: 3, roundSeconds: 1.0);
            Timing.Result($"cnn.train_b128_{kind}.ours", 128 / step, "images/s");
            net.Eval();
            Tensor test = Tensor.Randn(new Random(3), 1f, 256, 1, 28, 28);
            double infer = Timing.BestSeconds(() =>
            {
                using TensorScope scope = TensorScope.Begin();
                using (GradMode.NoGrad())
                {
                    net.Forward(test);
                }
            }, rounds: 3, roundSeconds: 1.0);
            Timing.Result($"cnn.infer_b256_{kind}.ours", 256 / infer, "images/s");
        }
    }

    private static Sequential Build(string kind, Random random)
    {
        Module<Tensor, Tensor> Attention(int channels) => kind switch
        {
            "se" => new SqueezeExcite(channels, random),
            "cbam" => new Cbam(channels, random),
            _ => new Sequential(),
        };

        return new Sequential(
            new Conv2d(1, 32, 3, padding: 1, random: random), new Activation(ActivationKind.Relu),
            new Conv2d(32, 64, 3, padding: 1, random: random), new Activation(ActivationKind.Relu),
            new Pool2d(PoolKind.Max, 2), Attention(64),
            new Conv2d(64, 128, 3, padding: 1, random: random), new Activation(ActivationKind.Relu),
            new Pool2d(PoolKind.Max, 2), Attention(128),
            new AdaptiveAvgPool2d(1, 1), new Flatten(), new Linear(128, 10, random: random));
    }
}
