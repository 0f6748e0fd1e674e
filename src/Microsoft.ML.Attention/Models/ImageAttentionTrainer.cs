using System.Diagnostics;
using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Trains an <see cref="ImageAttentionNetwork"/> with cross-entropy, AdamW under a warm-up + cosine schedule, gradient
/// clipping, shift/flip augmentation and early stopping on a held-out split (the best epoch's weights, batch-norm
/// statistics included, are kept). The input standardization is measured on the training split. Deterministic given
/// the generator's state and no time budget.
/// </summary>
public static class ImageAttentionTrainer
{
    /// <summary>Builds and trains the network; <paramref name="progress"/> hears about every epoch.</summary>
    /// <param name="options">The options, validated.</param>
    /// <param name="classes">Classes (2 or more); labels are 0…classes−1.</param>
    /// <param name="data">The training images.</param>
    /// <param name="random">The generator for initialization, the split, batching, augmentation and dropout.</param>
    /// <param name="progress">Called after every epoch, or null.</param>
    public static ImageAttentionNetwork Train(ImageAttentionOptions options, int classes, ImageDataset data, Random random, Action<EpochReport>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(random);
        if (data.Count == 0)
        {
            throw new ArgumentException("There are no training images.", nameof(data));
        }

        if (data.Labels.Any(l => l < 0 || l >= classes))
        {
            throw new ArgumentException($"A label is outside 0…{classes - 1}.", nameof(data));
        }

        var clock = Stopwatch.StartNew();

        // One generator, whose state a checkpoint holds, for every draw of the run (as the other trainers).
        var generator = new StatefulRandom(random.NextInt64());
        var model = new ImageAttentionNetwork(options, data.Shape, classes, generator);
        int[] order = [.. Enumerable.Range(0, data.Count)];
        generator.Shuffle(order);
        int held = options.ValidationFraction > 0 ? (int)Math.Round(data.Count * options.ValidationFraction) : 0;
        held = held >= data.Count ? 0 : held;
        int[] validation = order[..held], train = order[held..];
        (float[] mean, float[] std) = data.ChannelStatistics(train);
        mean.CopyTo(model.InputMean.AsSpan());
        std.CopyTo(model.InputStd.AsSpan());

        int stepsPerEpoch = (train.Length + options.BatchSize - 1) / options.BatchSize;
        int totalSteps = Math.Max(1, stepsPerEpoch * options.Epochs);
        var schedule = new LearningRateSchedule(options.LearningRate, (int)(totalSteps * options.WarmupFraction), totalSteps);
        var optimizer = new AdamW(model.Parameters(), options.LearningRate, weightDecay: options.WeightDecay);
        var loss = new CrossEntropyLoss();
        var stopping = new EarlyStopping(model, options.EarlyStoppingPatience);
        TrainingLoop.Checkpointing? checkpoint = TrainingLoop.CheckpointingOf(options.CheckpointDirectory, options.ResumeFromCheckpoint, CheckpointFileName, () => Fingerprint(options, classes, data));
        var history = new List<EpochReport>();
        int first = TrainingCheckpoint.Resume(checkpoint, model, optimizer, stopping, generator, average: null,
            validation.Length > 0, options.Epochs, history, progress);
        int step = optimizer.StepCount, planned = history.Count > 0 ? history[^1].Epochs : options.Epochs;
        if (planned < options.Epochs)
        {
            schedule = new LearningRateSchedule(options.LearningRate, schedule.WarmupSteps, Math.Max(step, stepsPerEpoch * planned));
        }

        for (int epoch = first; epoch <= planned; epoch++)
        {
            model.Train();
            int[] shuffled = (int[])train.Clone(); // each epoch's order from the generator alone, so that a resumed run draws the same
            generator.Shuffle(shuffled);
            double total = 0;
            for (int start = 0; start < shuffled.Length; start += options.BatchSize)
            {
                int[] rows = shuffled[start..Math.Min(shuffled.Length, start + options.BatchSize)];
                TrainingCancellation.ThrowIfRequested();
                using TensorScope scope = TensorScope.Begin();
                schedule.Apply(optimizer, step++);
                optimizer.ZeroGrad();
                Tensor images = data.Batch(rows, generator, options.RandomShift, options.RandomHorizontalFlip);
                Tensor value = loss.Forward(model.Forward(images).Logits, data.LabelsOf(rows));
                value.Backward();
                if (options.GradientClipNorm > 0)
                {
                    GradientClipping.ClipGradNorm(model.Parameters(), options.GradientClipNorm);
                }

                optimizer.Step();
                total += value.Item() * rows.Length;
            }

            double trainLoss = total / train.Length;
            double? validationLoss = validation.Length > 0 ? ValidationLoss.Mean(model, ValidationLoss.Slices(validation, options.BatchSize),
                batch => loss.Forward(model.Forward(data.Batch(batch)).Logits, data.LabelsOf(batch))) : null;
            bool improved = stopping.Report(validationLoss ?? trainLoss);
            if (options.MaximumTrainingTime is { } budget)
            {
                // Plan by the time an epoch takes: only epochs that end within the budget, and the cosine decay ends with them.
                int run = epoch - first + 1;
                int fit = Math.Max(epoch, first - 1 + (int)(budget.TotalSeconds / (clock.Elapsed.TotalSeconds / run)));
                if (fit < planned)
                {
                    planned = fit;
                    schedule = new LearningRateSchedule(options.LearningRate, schedule.WarmupSteps, Math.Max(step, stepsPerEpoch * planned));
                }
            }

            var report = new EpochReport(epoch, planned, trainLoss, validationLoss, improved);
            history.Add(report);
            if (checkpoint is not null)
            {
                TrainingCheckpoint.Save(checkpoint.Path, checkpoint.Fingerprint, epoch, model, optimizer, stopping, generator, history);
            }

            progress?.Invoke(report);
            if (validation.Length > 0 && stopping.ShouldStop)
            {
                break;
            }
        }

        stopping.RestoreBest();
        model.Eval();
        return model;
    }

    /// <summary>The checkpoint's file name inside <see cref="ImageAttentionOptions.CheckpointDirectory"/>.</summary>
    public const string CheckpointFileName = "image-attention.checkpoint";

    /// <summary>What a checkpoint must have been written by: every training option (the epoch count included) but the checkpoint, budget and scoring settings, the classes and a hash of the images.</summary>
    private static string Fingerprint(ImageAttentionOptions options, int classes, ImageDataset data)
    {
        ImageAttentionOptions o = options.Clone();
        o.CheckpointDirectory = null;
        o.ResumeFromCheckpoint = false;
        o.MaximumTrainingTime = null;
        o.ScoringBatchSize = 1;
        return $"{System.Text.Json.JsonSerializer.Serialize(o)}|classes={classes}|images={data.Count}|data={data.Hash()}";
    }
}
