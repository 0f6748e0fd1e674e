using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Trains a <see cref="CoAttentionPairModel"/> with binary cross-entropy on logits, AdamW under a warm-up + cosine
/// schedule, gradient clipping, batches bucketed by length, and early stopping on a held-out split (the best epoch's
/// weights are kept). Deterministic given the generator's state.
/// </summary>
public static class CoAttentionTrainer
{
    /// <summary>Builds and trains the model on the token-id pairs and their labels.</summary>
    /// <param name="options">The options, validated.</param>
    /// <param name="vocabularySize">Token ids the texts use.</param>
    /// <param name="first">The first texts' ids (each at least one).</param>
    /// <param name="second">The second texts' ids (each at least one).</param>
    /// <param name="labels">The pairs' labels.</param>
    /// <param name="random">The generator for initialization, the split, batching and dropout.</param>
    /// <param name="progress">Called after every epoch, or null.</param>
    public static CoAttentionPairModel Train(CoAttentionOptions options, int vocabularySize, IReadOnlyList<int[]> first, IReadOnlyList<int[]> second, bool[] labels, Random random,
        Action<EpochReport>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(random);
        if (first.Count == 0 || first.Count != second.Count || first.Count != labels.Length)
        {
            throw new ArgumentException($"{first.Count} first texts, {second.Count} second texts and {labels.Length} labels; training needs at least one pair and all three alike.", nameof(labels));
        }

        // One generator, whose state a checkpoint holds, for every draw of the run (as the other trainers).
        var generator = new StatefulRandom(random.NextInt64());
        var model = new CoAttentionPairModel(options, vocabularySize, generator);
        var loss = new BceWithLogitsLoss();
        (Tensor, int) Loss(int[] rows)
        {
            model.Forward(SourceBatch.From([.. rows.Select(r => first[r])]), SourceBatch.From([.. rows.Select(r => second[r])]), out Tensor logits);
            return (loss.Forward(logits, Tensor.FromArray([.. rows.Select(r => labels[r] ? 1f : 0f)], rows.Length)), rows.Length);
        }

        TrainingLoop.Checkpointing? checkpoint = TrainingLoop.CheckpointingOf(options.CheckpointDirectory, options.ResumeFromCheckpoint, CheckpointFileName, () =>
        {
            CoAttentionOptions o = options.Clone();
            o.CheckpointDirectory = null;
            o.ResumeFromCheckpoint = false;
            o.ScoringBatchSize = 1;
            using var hash = new DataHash();
            string pairs = hash.AddAll(first).AddAll(second).Add([.. labels.Select(l => l ? 1 : 0)]).Finish();
            return $"{System.Text.Json.JsonSerializer.Serialize(o)}|vocabulary={vocabularySize}|pairs={first.Count}|data={pairs}";
        });
        TrainingLoop.Run(model, new TrainingLoop.Settings(options.Epochs, options.BatchSize, options.LearningRate, options.WeightDecay, options.WarmupFraction,
            options.GradientClipNorm, options.ValidationFraction, options.EarlyStoppingPatience), first.Count, generator,
            (rows, shuffle) => LengthBuckets.Split(rows, r => (first[r].Length, second[r].Length), options.BatchSize, shuffle), Loss, progress, checkpoint);
        return model;
    }

    /// <summary>The checkpoint's file name inside <see cref="CoAttentionOptions.CheckpointDirectory"/>.</summary>
    public const string CheckpointFileName = "co-attention.checkpoint";
}
