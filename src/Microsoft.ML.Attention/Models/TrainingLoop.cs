using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// The training loop the sequence, time-step and co-attention trainers share: a held-out split, AdamW under a warm-up +
/// cosine schedule, gradient clipping, a tensor scope per step, each batch's forward and backward cut into pieces that
/// run at once on the cores (<see cref="DataParallelStep"/>), early stopping on the held-out loss (the best epoch's
/// weights are restored), a report per epoch and, when asked, a checkpoint per epoch that a later run resumes from.
/// Deterministic given the generator's state.
/// </summary>
internal static class TrainingLoop
{
    /// <summary>The knobs every such trainer's options carry.</summary>
    internal sealed record Settings(int Epochs, int BatchSize, float LearningRate, float WeightDecay, float WarmupFraction, float GradientClipNorm, float ValidationFraction, int Patience);

    /// <summary>Where a run checkpoints (a file, written after every epoch), whether it resumes from it, and what it must have been written by.</summary>
    internal sealed record Checkpointing(string Path, bool Resume, string Fingerprint);

    /// <summary>
    /// The checkpoint settings of a trainer's options: null without a <paramref name="directory"/>; otherwise the file
    /// <paramref name="fileName"/> there, and the fingerprint <paramref name="fingerprint"/> makes (called only then).
    /// </summary>
    internal static Checkpointing? CheckpointingOf(string? directory, bool resume, string fileName, Func<string> fingerprint) =>
        directory is null ? null : new Checkpointing(System.IO.Path.Combine(directory, fileName), resume, fingerprint());

    /// <summary>Trains <paramref name="model"/> on rows 0…<paramref name="count"/>−1 and leaves it in evaluation mode.</summary>
    /// <param name="model">The model, initialized.</param>
    /// <param name="settings">The training knobs.</param>
    /// <param name="count">Rows of the training data.</param>
    /// <param name="random">The run's one generator (the model's initialization and dropout draw from it too): shuffles the split and (through <paramref name="batches"/>) the batches; a checkpoint holds its state.</param>
    /// <param name="batches">The batches of the given rows (a fresh copy each epoch; it may be shuffled in place); the generator is null for the held-out rows (fixed order).</param>
    /// <param name="loss">The loss of a batch and what it averages over (rows or tokens), for the epoch's mean.</param>
    /// <param name="progress">Called after every epoch (and, on resume, for the epochs the checkpoint reports), or null.</param>
    /// <param name="checkpoint">Where to checkpoint after every epoch and whether to resume, or null.</param>
    /// <returns>Every epoch's report, those before a resumed checkpoint included.</returns>
    internal static IReadOnlyList<EpochReport> Run(Module model, Settings settings, int count, StatefulRandom random, Func<int[], Random?, IEnumerable<int[]>> batches,
        Func<int[], (Tensor Value, int Weight)> loss, Action<EpochReport>? progress, Checkpointing? checkpoint = null)
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
        var history = new List<EpochReport>();
        var pieces = new DataParallelStep([.. model.Parameters()], random);
        int first = TrainingCheckpoint.Resume(checkpoint, model, optimizer, stopping, random,
            average: null, validation.Length > 0, settings.Epochs, history, progress);
        int step = optimizer.StepCount;
        for (int epoch = first; epoch <= settings.Epochs; epoch++)
        {
            model.Train();
            double total = 0;
            long weight = 0;
            foreach (int[] rows in batches((int[])train.Clone(), random))
            {
                TrainingCancellation.ThrowIfRequested();
                using TensorScope scope = TensorScope.Begin();
                schedule.Apply(optimizer, step++);
                optimizer.ZeroGrad();
                (double value, long w) = pieces.Run(rows, loss);
                if (settings.GradientClipNorm > 0)
                {
                    GradientClipping.ClipGradNorm(model.Parameters(), settings.GradientClipNorm);
                }

                optimizer.Step();
                total += value * w;
                weight += w;
            }

            double trainLoss = total / Math.Max(1, weight);
            double? validationLoss = validation.Length > 0 ? ValidationLoss.Mean(model, batches(validation, null), rows => loss(rows).Value) : null;
            bool improved = stopping.Report(validationLoss ?? trainLoss);
            var report = new EpochReport(epoch, settings.Epochs, trainLoss, validationLoss, improved);
            history.Add(report);
            if (checkpoint is not null)
            {
                TrainingCheckpoint.Save(checkpoint.Path, checkpoint.Fingerprint, epoch, model, optimizer, stopping, random, history);
            }

            progress?.Invoke(report);
            if (validation.Length > 0 && stopping.ShouldStop)
            {
                break;
            }
        }

        stopping.RestoreBest();
        model.Eval();
        return history;
    }
}
