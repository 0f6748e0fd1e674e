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

        var model = new TimeStepAttentionModel(options, outputs, random);
        int[] order = [.. Enumerable.Range(0, vectors.Count)];
        random.Shuffle(order);
        int held = options.ValidationFraction > 0 ? (int)Math.Round(vectors.Count * options.ValidationFraction) : 0;
        held = held >= vectors.Count ? 0 : held;
        int[] validation = order[..held], train = order[held..];
        int stepsPerEpoch = (train.Length + options.BatchSize - 1) / options.BatchSize;
        int totalSteps = Math.Max(1, stepsPerEpoch * options.Epochs);
        var schedule = new LearningRateSchedule(options.LearningRate, (int)(totalSteps * options.WarmupFraction), totalSteps);
        var optimizer = new AdamW(model.Parameters(), options.LearningRate, weightDecay: options.WeightDecay);
        var crossEntropy = new CrossEntropyLoss();
        var squared = new MseLoss();
        var stopping = new EarlyStopping(model, options.EarlyStoppingPatience);
        int length = vectors[0].Length / options.StepSize;
        Tensor Loss(int[] rows)
        {
            Tensor steps = Tensor.Empty(rows.Length, length, options.StepSize);
            Span<float> s = steps.AsSpan();
            for (int i = 0; i < rows.Length; i++)
            {
                vectors[rows[i]].CopyTo(s.Slice(i * vectors[rows[i]].Length));
            }

            Tensor scores = model.Forward(steps).Output;
            return outputs == 1
                ? squared.Forward(scores.Reshape(rows.Length), Tensor.FromArray([.. rows.Select(r => labels[r])], rows.Length))
                : crossEntropy.Forward(scores, [.. rows.Select(r => (int)labels[r])]);
        }

        int step = 0;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            model.Train();
            random.Shuffle(train);
            double total = 0;
            foreach (int[] rows in ValidationLoss.Slices(train, options.BatchSize))
            {
                using TensorScope scope = TensorScope.Begin();
                schedule.Apply(optimizer, step++);
                optimizer.ZeroGrad();
                Tensor value = Loss(rows);
                value.Backward();
                if (options.GradientClipNorm > 0)
                {
                    GradientClipping.ClipGradNorm(model.Parameters(), options.GradientClipNorm);
                }

                optimizer.Step();
                total += value.Item() * rows.Length;
            }

            double trainLoss = total / train.Length;
            double? validationLoss = validation.Length > 0 ? ValidationLoss.Mean(model, ValidationLoss.Slices(validation, options.BatchSize), Loss) : null;
            bool improved = stopping.Report(validationLoss ?? trainLoss);
            progress?.Invoke(new EpochReport(epoch, options.Epochs, trainLoss, validationLoss, improved));
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
