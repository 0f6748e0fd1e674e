using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.PerformanceTests.Suites;

/// <summary>
/// <c>TransformerEncoderLayer(256, 8, 1024)</c> (dropout 0.1, ReLU, post-norm) at (batch, sequence) = (32, 128):
/// evaluation forward without a tape, and a training forward + backward.
/// </summary>
internal static class EncoderSuite
{
    internal static void Run()
    {
        var layer = new TransformerEncoderLayer(256, 8, 1024, random: new Random(1));
        Tensor x = Tensor.Randn(new Random(2), 1f, 32, 128, 256);
        layer.Eval();
        double eval = Timing.BestSeconds(() =>
        {
            using TensorScope scope = TensorScope.Begin();
            using (GradMode.NoGrad())
            {
                layer.Forward(x);
            }
        }, rounds: 5);
        Timing.Result("encoder.layer_eval_b32_s128.ours", eval * 1e3, "ms");

        layer.Train();
        double train = Timing.BestSeconds(() =>
        {
            using TensorScope scope = TensorScope.Begin();
            layer.ZeroGrad();
            layer.Forward(x).Output.Sum().Backward();
        }, rounds: 5);
        Timing.Result("encoder.layer_train_b32_s128.ours", train * 1e3, "ms");
    }
}
