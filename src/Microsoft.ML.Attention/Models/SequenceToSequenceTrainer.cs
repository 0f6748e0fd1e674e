using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Trains a <see cref="SequenceToSequenceModel"/> with teacher forcing: token cross-entropy (padding ignored), AdamW
/// under a warm-up + cosine schedule, gradient clipping, batches bucketed by length, and early stopping on a held-out
/// split (the best epoch's weights are kept). Deterministic given the generator's state.
/// </summary>
public static class SequenceToSequenceTrainer
{
    /// <summary>Builds and trains the model; <paramref name="progress"/> hears about every epoch.</summary>
    /// <param name="options">The options, validated.</param>
    /// <param name="sourceVocabularySize">Source ids the pairs use.</param>
    /// <param name="targetVocabularySize">Target ids the pairs use.</param>
    /// <param name="data">The training pairs.</param>
    /// <param name="random">The generator for initialization, the split, batching and dropout.</param>
    /// <param name="progress">Called after every epoch, or null.</param>
    public static SequenceToSequenceModel Train(SequenceToSequenceOptions options, int sourceVocabularySize, int targetVocabularySize, SequencePairDataset data, Random random,
        Action<EpochReport>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(random);
        if (data.Count == 0)
        {
            throw new ArgumentException("There are no training pairs.", nameof(data));
        }

        // One generator, whose state a checkpoint holds, for every draw of the run (as the other trainers).
        var generator = new StatefulRandom(random.NextInt64());
        var model = new SequenceToSequenceModel(options, sourceVocabularySize, targetVocabularySize, generator);
        var loss = new CrossEntropyLoss(ignoreIndex: SequencePairBatch.Ignored);
        (Tensor, int) Loss(int[] rows)
        {
            SequencePairBatch batch = data.Batch(rows);
            Tensor logits = model.Forward(batch).Logits;
            return (loss.Forward(logits.Reshape(batch.Batch * batch.TargetSteps, model.TargetVocabularySize), batch.TargetOutput), batch.TargetLengths.Sum());
        }

        TrainingLoop.Checkpointing? checkpoint = TrainingLoop.CheckpointingOf(options.CheckpointDirectory, options.ResumeFromCheckpoint, CheckpointFileName, () =>
        {
            SequenceToSequenceOptions o = options.Clone();
            o.CheckpointDirectory = null;
            o.ResumeFromCheckpoint = false;
            o.DecodeBatchSize = 1;
            using var hash = new DataHash();
            string pairs = hash.AddAll(data.Sources).AddAll(data.Targets).Finish();
            return $"{System.Text.Json.JsonSerializer.Serialize(o)}|source={sourceVocabularySize}|target={targetVocabularySize}|pairs={data.Count}|data={pairs}";
        });
        TrainingLoop.Run(model, new TrainingLoop.Settings(options.Epochs, options.BatchSize, options.LearningRate, options.WeightDecay, options.WarmupFraction,
            options.GradientClipNorm, options.ValidationFraction, options.EarlyStoppingPatience), data.Count, generator,
            (rows, shuffle) => data.Buckets(rows, options.BatchSize, shuffle), Loss, progress, checkpoint);
        return model;
    }

    /// <summary>The checkpoint's file name inside <see cref="SequenceToSequenceOptions.CheckpointDirectory"/>.</summary>
    public const string CheckpointFileName = "sequence-to-sequence.checkpoint";
}
