using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Trains a <see cref="TimeStepAttentionModel"/>: cross-entropy (classes) or mean squared error (one output), AdamW under
/// a warm-up + cosine schedule, gradient clipping, and early stopping on a held-out split (the best epoch's weights are
/// kept). Deterministic given the generator's state.
/// </summary>
public static class TimeStepAttentionTrainer
{
    /// <summary>Builds and trains the model on <paramref name="vectors"/> (each T·StepSize values) and their labels.</summary>
    /// <param name="options">The options, validated.</param>
    /// <param name="outputs">Classes (labels 0…outputs−1), or 1 for regression.</param>
    /// <param name="vectors">The rows' steps, all of one length.</param>
    /// <param name="labels">Class indices or regression targets.</param>
    /// <param name="random">The generator for initialization, the split, batching and dropout.</param>
    /// <param name="progress">Called after every epoch, or null.</param>
    public static TimeStepAttentionModel Train(TimeStepAttentionOptions options, int outputs, IReadOnlyList<float[]> vectors, float[] labels, Random random, Action<EpochReport>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(random);
        if (vectors.Count == 0 || vectors.Count != labels.Length)
        {
            throw new ArgumentException($"{vectors.Count} rows and {labels.Length} labels; training needs at least one row and a label for each.", nameof(labels));
        }

        // One generator, whose state a checkpoint holds, for every draw of the run (as the other trainers).
        var generator = new StatefulRandom(random.NextInt64());
        int length = vectors[0].Length / options.StepSize;
        var model = new TimeStepAttentionModel(options, length, outputs, generator);
        var crossEntropy = new CrossEntropyLoss();
        var squared = new MseLoss();
        (Tensor, int) Loss(int[] rows)
        {
            Tensor steps = Tensor.Empty(rows.Length, length, options.StepSize);
            Span<float> s = steps.AsSpan();
            for (int i = 0; i < rows.Length; i++)
            {
                vectors[rows[i]].CopyTo(s.Slice(i * vectors[rows[i]].Length));
            }

            Tensor scores = model.Forward(steps).Output;
            Tensor value = outputs == 1
                ? squared.Forward(scores.Reshape(rows.Length), Tensor.FromArray([.. rows.Select(r => labels[r])], rows.Length))
                : crossEntropy.Forward(scores, [.. rows.Select(r => (int)labels[r])]);
            return (value, rows.Length);
        }

        IEnumerable<int[]> Batches(int[] rows, Random? shuffle)
        {
            shuffle?.Shuffle(rows);
            return ValidationLoss.Slices(rows, options.BatchSize);
        }

        TrainingLoop.Checkpointing? checkpoint = TrainingLoop.CheckpointingOf(options.CheckpointDirectory, options.ResumeFromCheckpoint, CheckpointFileName, () =>
        {
            TimeStepAttentionOptions o = options.Clone();
            o.CheckpointDirectory = null;
            o.ResumeFromCheckpoint = false;
            o.ScoringBatchSize = 1;
            using var hash = new DataHash();
            foreach (float[] v in vectors)
            {
                hash.Add(v);
            }

            string rows = hash.Add(labels).Finish();
            return $"{System.Text.Json.JsonSerializer.Serialize(o)}|outputs={outputs}|rows={vectors.Count}|data={rows}";
        });
        TrainingLoop.Run(model, new TrainingLoop.Settings(options.Epochs, options.BatchSize, options.LearningRate, options.WeightDecay, options.WarmupFraction,
            options.GradientClipNorm, options.ValidationFraction, options.EarlyStoppingPatience), vectors.Count, generator, Batches, Loss, progress, checkpoint);
        return model;
    }

    /// <summary>The checkpoint's file name inside <see cref="TimeStepAttentionOptions.CheckpointDirectory"/>.</summary>
    public const string CheckpointFileName = "time-step-attention.checkpoint";
}
