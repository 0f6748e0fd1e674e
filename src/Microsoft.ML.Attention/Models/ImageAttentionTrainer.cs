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
        var model = new ImageAttentionNetwork(options, data.Shape, classes, random);
        int[] order = [.. Enumerable.Range(0, data.Count)];
        random.Shuffle(order);
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
        int step = 0, planned = options.Epochs;
        for (int epoch = 1; epoch <= planned; epoch++)
        {
            model.Train();
            random.Shuffle(train);
            double total = 0;
            for (int start = 0; start < train.Length; start += options.BatchSize)
            {
                int[] rows = train[start..Math.Min(train.Length, start + options.BatchSize)];
                TrainingCancellation.ThrowIfRequested();
                using TensorScope scope = TensorScope.Begin();
                schedule.Apply(optimizer, step++);
                optimizer.ZeroGrad();
                Tensor images = data.Batch(rows, random, options.RandomShift, options.RandomHorizontalFlip);
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
                int fit = Math.Max(epoch, (int)(budget.TotalSeconds / (clock.Elapsed.TotalSeconds / epoch)));
                if (fit < planned)
                {
                    planned = fit;
                    schedule = new LearningRateSchedule(options.LearningRate, schedule.WarmupSteps, Math.Max(step, stepsPerEpoch * planned));
                }
            }

            progress?.Invoke(new EpochReport(epoch, planned, trainLoss, validationLoss, improved));
            if (validation.Length > 0 && stopping.ShouldStop)
            {
                break;
            }
        }

        stopping.RestoreBest();
        model.Eval();
        return model;
    }
}
