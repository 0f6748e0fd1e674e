using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.PerformanceTests.Evals;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.PerformanceTests.Suites;

/// <summary>
/// The dates eval's model (characters; embedding 32, BiGRU 64, GRU decoder 128, additive attention 64; source vocabulary
/// 50, target 15), and the same at the anchor's width (BiGRU 128, suffix _h128), on sources of 20 tokens and targets of 10 (+ the end marker): a teacher-forced training step (forward,
/// cross-entropy, backward, AdamW; the batch cut into pieces run at once, as the trainer's loop does) at batch 64 and 256 in pairs/s, and greedy decoding of 11 steps at batch 256 in
/// sequences/s (the end marker's output bias is −10⁹ on both sides, so that every row decodes all 11 steps).
/// </summary>
internal static class Seq2SeqSuite
{
    internal const int SourceLength = 20, TargetLength = 10, SourceVocabulary = 50, TargetVocabulary = 15;

    internal static void Run()
    {
        // The dates eval's model (hidden 64), and the anchor's width (BiGRU 128, the options' default), with "_h128" names.
        foreach ((int hidden, string suffix) in new[] { (64, ""), (128, "_h128") })
        {
            SequenceToSequenceOptions options = DatesEval.Options(epochs: 1, SequenceToSequenceOptions.Defaults.Attention);
            options.Dropout = 0f;
            options.HiddenSize = hidden;
            options.AttentionDimension = hidden;
            var random = new StatefulRandom(2);
            var model = new SequenceToSequenceModel(options, SourceVocabulary, TargetVocabulary, random);
            model.Output.Bias!.AsSpan()[SequenceToSequenceModel.End] = -1e9f;
            var optimizer = new AdamW(model.Parameters(), 1e-3f);
            var loss = new CrossEntropyLoss(ignoreIndex: SequencePairBatch.Ignored);
            var step = new DataParallelStep([.. model.Parameters()], random);
            model.Train();
            foreach (int b in new[] { 64, 256 })
            {
                (int[][] pairSources, int[][] pairTargets) = Pairs(b, new Random(b));
                int[] rows = [.. Enumerable.Range(0, b)];
                (Tensor, int) Loss(int[] part)
                {
                    SequencePairBatch batch = SequencePairBatch.From([.. part.Select(r => pairSources[r])], [.. part.Select(r => pairTargets[r])]);
                    Tensor logits = model.Forward(batch).Logits;
                    return (loss.Forward(logits.Reshape(part.Length * batch.TargetSteps, TargetVocabulary), batch.TargetOutput), batch.TargetLengths.Sum());
                }

                // As the trainers' loop runs a step: the batch cut into pieces that run at once (DataParallelStep).
                double train = Timing.BestSeconds(() =>
                {
                    using TensorScope scope = TensorScope.Begin();
                    optimizer.ZeroGrad();
                    step.Run(rows, Loss);
                    optimizer.Step();
                }, rounds: 3, roundSeconds: 1.0);
                Timing.Result($"seq2seq.train_b{b}{suffix}.ours", b / train, "pairs/s");
            }

            model.Eval();
            SourceBatch sources = Batch(256, new Random(3)).Source;
            double decode = Timing.BestSeconds(() => SequenceDecoder.Greedy(model, sources, TargetLength + 1), rounds: 3, roundSeconds: 1.0);
            Timing.Result($"seq2seq.greedy_b256{suffix}.ours", 256 / decode, "sequences/s");
        }
    }

    private static (int[][] Sources, int[][] Targets) Pairs(int b, Random random) => (
        [.. Enumerable.Range(0, b).Select(_ => Enumerable.Range(0, SourceLength).Select(_ => random.Next(SequenceToSequenceModel.FirstToken, SourceVocabulary)).ToArray())],
        [.. Enumerable.Range(0, b).Select(_ => Enumerable.Range(0, TargetLength).Select(_ => random.Next(SequenceToSequenceModel.FirstToken, TargetVocabulary)).ToArray())]);

    private static SequencePairBatch Batch(int b, Random random)
    {
        (int[][] sources, int[][] targets) = Pairs(b, random);
        return SequencePairBatch.From(sources, targets);
    }
}
