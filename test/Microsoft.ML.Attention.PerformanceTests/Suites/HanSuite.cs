using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.PerformanceTests.Suites;

/// <summary>
/// The HAN of the PyTorch anchor: 15 sentences × 20 words, vocabulary 30k, embedding 100, BiGRU 50 at both levels,
/// attention 100, batch 64 (every sentence full length). A training step (forward, cross-entropy, backward, AdamW) and
/// inference without a tape, in documents/s.
/// </summary>
internal static class HanSuite
{
    internal static void Run()
    {
        var random = new Random(1);
        int[][][] documents = [.. Enumerable.Range(0, 64).Select(_ => Enumerable.Range(0, 15).Select(_ => Enumerable.Range(0, 20).Select(_ => random.Next(2, 30000)).ToArray()).ToArray())];
        int[] labels = [.. Enumerable.Range(0, 64).Select(i => i % 2)];
        DocumentBatch batch = DocumentBatch.From(documents);
        var options = new HierarchicalAttentionOptions { EmbeddingDimension = 100, HiddenSize = 50, AttentionDimension = 100, Dropout = 0f };
        var model = new HierarchicalAttentionModel(options, 30000, 2, new Random(2));
        var optimizer = new AdamW(model.Parameters(), 1e-3f);
        var loss = new CrossEntropyLoss();
        model.Train();
        double train = Timing.BestSeconds(() =>
        {
            using TensorScope scope = TensorScope.Begin();
            optimizer.ZeroGrad();
            loss.Forward(model.Forward(batch).Logits, labels).Backward();
            optimizer.Step();
        }, rounds: 3, roundSeconds: 1.0); // a longer warm-up: the JIT tiers up the kernels first
        Timing.Result("han.train_b64.ours", 64 / train, "documents/s");
        model.Eval();
        double infer = Timing.BestSeconds(() =>
        {
            using TensorScope scope = TensorScope.Begin();
            using (GradMode.NoGrad())
            {
                model.Forward(batch);
            }
        }, rounds: 3, roundSeconds: 1.0);
        Timing.Result("han.infer_b64.ours", 64 / infer, "documents/s");
    }
}
