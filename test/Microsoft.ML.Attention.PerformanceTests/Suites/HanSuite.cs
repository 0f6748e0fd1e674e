using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Attention.Transforms;

namespace Microsoft.ML.Attention.PerformanceTests.Suites;

/// <summary>
/// The HAN of the PyTorch anchor: 15 sentences × 20 words, vocabulary 30k, embedding 100, BiGRU 50 at both levels,
/// attention 100, batch 64 (every sentence full length). A training step (forward, cross-entropy, backward, AdamW, the
/// batch cut into pieces run at once as the trainer does) and inference without a tape as the transformer scores, in
/// documents/s.
/// </summary>
internal static class HanSuite
{
    internal static void Run()
    {
        var random = new Random(1);
        int[][][] documents = [.. Enumerable.Range(0, 64).Select(_ => Enumerable.Range(0, 15).Select(_ => Enumerable.Range(0, 20).Select(_ => random.Next(2, 30000)).ToArray()).ToArray())];
        int[] labels = [.. Enumerable.Range(0, 64).Select(i => i % 2)];
        var options = new HierarchicalAttentionOptions { EmbeddingDimension = 100, HiddenSize = 50, AttentionDimension = 100, Dropout = 0f };
        var generator = new StatefulRandom(2);
        var model = new HierarchicalAttentionModel(options, 30000, 2, generator);
        var optimizer = new AdamW(model.Parameters(), 1e-3f);
        var loss = new CrossEntropyLoss();
        var step = new DataParallelStep([.. model.Parameters()], generator);
        int[] rows = [.. Enumerable.Range(0, 64)];
        model.Train();

        // As the trainer runs a step: the batch cut into pieces that run at once (DataParallelStep), each piece's batch built inside it.
        double train = Timing.BestSeconds(() =>
        {
            using TensorScope scope = TensorScope.Begin();
            optimizer.ZeroGrad();
            step.Run(rows, piece => (loss.Forward(model.Forward(DocumentBatch.From([.. piece.Select(r => documents[r])])).Logits, [.. piece.Select(r => labels[r])]), piece.Length));
            optimizer.Step();
        }, rounds: 3, roundSeconds: 1.0); // a longer warm-up: the JIT tiers up the kernels first
        Timing.Result("han.train_b64.ours", 64 / train, "documents/s");
        model.Eval();

        // As the transformer scores a block: groups of HierarchicalAttentionTransformer.GroupSize documents, one forward
        // pass each, the groups run at once (one forward pass of all 64 on both cores runs at about 2/3 of this speed).
        int groupSize = HierarchicalAttentionTransformer.GroupSize;
        DocumentBatch[] groups = [.. Enumerable.Range(0, 64 / groupSize).Select(g => DocumentBatch.From(documents[(g * groupSize)..((g + 1) * groupSize)]))];
        double infer = Timing.BestSeconds(() => EngineThreads.ForEachPiece(groups.Length, g =>
        {
            using TensorScope scope = TensorScope.Begin();
            using (GradMode.NoGrad())
            {
                model.Forward(groups[g]);
            }
        }), rounds: 3, roundSeconds: 1.0);
        Timing.Result("han.infer_b64.ours", 64 / infer, "documents/s");
    }
}
