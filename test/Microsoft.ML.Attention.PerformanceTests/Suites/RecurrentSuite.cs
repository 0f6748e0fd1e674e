using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.PerformanceTests.Suites;

/// <summary>
/// Bidirectional GRU and LSTM (input 100, hidden 50, batch-first) over [960, 20, 100]: the word level of the HAN anchor
/// (64 documents × 15 sentences × 20 words). Training forward + backward and inference without a tape, in sequences/s;
/// the fused kernel, and (ours only) the step-by-step path it replaced.
/// </summary>
internal static class RecurrentSuite
{
    internal static void Run()
    {
        Tensor x = Tensor.Randn(new Random(2), 1f, 960, 20, 100);
        foreach ((string name, RecurrentLayer rnn) in new (string, RecurrentLayer)[]
        {
            ("bigru", new Gru(100, 50, bidirectional: true, random: new Random(1))),
            ("bilstm", new Lstm(100, 50, bidirectional: true, random: new Random(1))),
        })
        {
            foreach (bool stepByStep in new[] { false, true })
            {
                rnn.StepByStep = stepByStep;
                string suffix = stepByStep ? "_step_by_step" : "";
                double train = Timing.BestSeconds(() =>
                {
                    using TensorScope scope = TensorScope.Begin();
                    rnn.ZeroGrad();
                    rnn.Forward(x).Output.Sum().Backward();
                }, rounds: 3, roundSeconds: 1.0); // a longer warm-up: the JIT tiers up the kernels first
                Timing.Result($"recurrent.{name}_train{suffix}.ours", 960 / train, "sequences/s");
                double infer = Timing.BestSeconds(() =>
                {
                    using TensorScope scope = TensorScope.Begin();
                    using (GradMode.NoGrad())
                    {
                        rnn.Forward(x);
                    }
                }, rounds: 3, roundSeconds: 1.0); // a longer warm-up: the JIT tiers up the kernels first
                Timing.Result($"recurrent.{name}_infer{suffix}.ours", 960 / infer, "sequences/s");
            }
        }
    }
}
