using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// The training loop the sequence, time-step and co-attention trainers share: a held-out split, AdamW under a warm-up +
/// cosine schedule, gradient clipping, a tensor scope per step, early stopping on the held-out loss (the best epoch's
/// weights are restored) and a report per epoch. Deterministic given the generator's state.
/// </summary>
internal static class TrainingLoop
{
    /// <summary>The knobs every such trainer's options carry.</summary>
    internal sealed record Settings(int Epochs, int BatchSize, float LearningRate, float WeightDecay, float WarmupFraction, float GradientClipNorm, float ValidationFraction, int Patience);

    /// <summary>Trains <paramref name="model"/> on rows 0…<paramref name="count"/>−1 and leaves it in evaluation mode.</summary>
    /// <param name="model">The model, initialized.</param>
    /// <param name="settings">The training knobs.</param>
    /// <param name="count">Rows of the training data.</param>
    /// <param name="random">Shuffles the split and (through <paramref name="batches"/>) the batches.</param>
    /// <param name="batches">The batches of the given rows; the generator is null for the held-out rows (fixed order).</param>
    /// <param name="loss">The loss of a batch and what it averages over (rows or tokens), for the epoch's mean.</param>
    /// <param name="progress">Called after every epoch, or null.</param>
    internal static void Run(Module model, Settings settings, int count, Random random, Func<int[], Random?, IEnumerable<int[]>> batches,
        Func<int[], (Tensor Value, int Weight)> loss, Action<EpochReport>? progress)
    {
        int[] order = [.. Enumerable.Range(0, count)];
        random.Shuffle(order);
        int held = settings.ValidationFraction > 0 ? (int)Math.Round(count * settings.ValidationFraction) : 0;
        held = held >= count ? 0 : held;
        int[] validation = order[..held], train = order[held..];
        int stepsPerEpoch = (train.Length + settings.BatchSize - 1) / settings.BatchSize;
        int totalSteps = Math.Max(1, stepsPerEpoch * settings.Epochs);
        var schedule = new LearningRateSchedule(settings.LearningRate, (int)(totalSteps * settings.WarmupFraction), totalSteps);
        var optimizer = new AdamW(model.Parameters(), settings.LearningRate, weightDecay: settings.WeightDecay);
        var stopping = new EarlyStopping(model, settings.Patience);
        int step = 0;
        for (int epoch = 1; epoch <= settings.Epochs; epoch++)
        {
            model.Train();
            double total = 0;
            long weight = 0;
            foreach (int[] rows in batches(train, random))
            {
                TrainingCancellation.ThrowIfRequested();
                using TensorScope scope = TensorScope.Begin();
                schedule.Apply(optimizer, step++);
                optimizer.ZeroGrad();
                (Tensor value, int w) = loss(rows);
                value.Backward();
                if (settings.GradientClipNorm > 0)
                {
                    GradientClipping.ClipGradNorm(model.Parameters(), settings.GradientClipNorm);
                }

                optimizer.Step();
                total += value.Item() * w;
                weight += w;
            }

            double trainLoss = total / Math.Max(1, weight);
            double? validationLoss = validation.Length > 0 ? ValidationLoss.Mean(model, batches(validation, null), rows => loss(rows).Value) : null;
            bool improved = stopping.Report(validationLoss ?? trainLoss);
            progress?.Invoke(new EpochReport(epoch, settings.Epochs, trainLoss, validationLoss, improved));
            if (validation.Length > 0 && stopping.ShouldStop)
            {
                break;
            }
        }

        stopping.RestoreBest();
        model.Eval();
    }
}
