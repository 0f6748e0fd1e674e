using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Trains a <see cref="RecurrentAttentionNetwork"/> as the paper does: the classification loss (cross-entropy) for the
/// glimpse network, core and classifier; the mean squared error between the baseline and the reward (1 when the image
/// is classified right, else 0); and REINFORCE for the location policy, −Σₜ log π(lₜ₊₁) · (R − bₜ), the baseline
/// subtracted to lower the variance. Adam under a cosine decay, gradient clipping. Deterministic given the generator.
/// </summary>
public static class RecurrentAttentionTrainer
{
    /// <summary>Builds and trains the network; <paramref name="progress"/> hears about every epoch.</summary>
    public static RecurrentAttentionNetwork Train(RecurrentAttentionOptions options, int classes, ImageDataset data, Random random, Action<EpochReport>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(random);
        if (data.Count == 0)
        {
            throw new ArgumentException("There are no training images.", nameof(data));
        }

        // One generator, whose state a checkpoint holds, for every draw of the run (initial weights, shuffles, glimpse sampling).
        var generator = new StatefulRandom(random.NextInt64());
        var model = new RecurrentAttentionNetwork(options, data.Shape, classes, generator);
        int[] rows = [.. Enumerable.Range(0, data.Count)];
        (float[] mean, float[] std) = data.ChannelStatistics(rows);
        mean.CopyTo(model.InputMean.AsSpan());
        std.CopyTo(model.InputStd.AsSpan());
        int stepsPerEpoch = (rows.Length + options.BatchSize - 1) / options.BatchSize;
        int totalSteps = Math.Max(1, stepsPerEpoch * options.Epochs);
        var schedule = new LearningRateSchedule(options.LearningRate, 0, totalSteps);
        var optimizer = new Adam(model.Parameters(), options.LearningRate);
        var crossEntropy = new CrossEntropyLoss();
        var mse = new MseLoss();
        TrainingLoop.Checkpointing? checkpoint = TrainingLoop.CheckpointingOf(options.CheckpointDirectory, options.ResumeFromCheckpoint, CheckpointFileName, () => Fingerprint(options, classes, data));
        var history = new List<EpochReport>();
        int first = TrainingCheckpoint.Resume(checkpoint, model, optimizer, stopping: null, generator, average: null,
            validates: false, options.Epochs, history, progress);
        int step = optimizer.StepCount;
        for (int epoch = first; epoch <= options.Epochs; epoch++)
        {
            model.Train();
            int[] shuffled = (int[])rows.Clone(); // each epoch's order from the generator alone, so that a resumed run draws the same
            generator.Shuffle(shuffled);
            double total = 0;
            for (int start = 0; start < shuffled.Length; start += options.BatchSize)
            {
                int[] batch = shuffled[start..Math.Min(shuffled.Length, start + options.BatchSize)];
                TrainingCancellation.ThrowIfRequested();
                using TensorScope scope = TensorScope.Begin();
                schedule.Apply(optimizer, step++);
                optimizer.ZeroGrad();
                int[] labels = data.LabelsOf(batch);
                RecurrentAttentionResult r = model.Forward(data.Batch(batch, generator, options.RandomShift), sample: true);
                Tensor loss = Loss(r, labels, crossEntropy, mse);
                loss.Backward();
                if (options.GradientClipNorm > 0)
                {
                    GradientClipping.ClipGradNorm(model.Parameters(), options.GradientClipNorm);
                }

                optimizer.Step();
                double value = loss.Item();
                if (!double.IsFinite(value))
                {
                    throw new ArithmeticException($"RecurrentAttention: the loss is {value} at epoch {epoch}, step {step}: training has diverged (lower the learning rate).");
                }

                total += value * batch.Length;
            }

            var report = new EpochReport(epoch, options.Epochs, total / rows.Length, null, false);
            history.Add(report);
            if (checkpoint is not null)
            {
                TrainingCheckpoint.Save(checkpoint.Path, checkpoint.Fingerprint, epoch, model, optimizer, stopping: null, generator, history);
            }

            progress?.Invoke(report);
        }

        model.Eval();
        return model;
    }

    /// <summary>The checkpoint's file name inside <see cref="RecurrentAttentionOptions.CheckpointDirectory"/>.</summary>
    public const string CheckpointFileName = "recurrent-attention.checkpoint";

    /// <summary>What a checkpoint must have been written by: every training option (the epoch count included) but the checkpoint and scoring settings, the classes and a hash of the images.</summary>
    private static string Fingerprint(RecurrentAttentionOptions options, int classes, ImageDataset data)
    {
        RecurrentAttentionOptions o = options.Clone();
        o.CheckpointDirectory = null;
        o.ResumeFromCheckpoint = false;
        o.ScoringBatchSize = 1;
        return $"{System.Text.Json.JsonSerializer.Serialize(o)}|classes={classes}|images={data.Count}|data={data.Hash()}";
    }

    /// <summary>Cross-entropy + baseline MSE + REINFORCE with the baseline-adjusted reward.</summary>
    internal static Tensor Loss(RecurrentAttentionResult r, int[] labels, CrossEntropyLoss crossEntropy, MseLoss mse)
    {
        int n = labels.Length, steps = r.Baselines.Size(1);
        int[] predicted = r.Logits.ArgMax(-1);
        float[] reward = [.. labels.Select((y, i) => predicted[i] == y ? 1f : 0f)];
        Tensor rewards = Tensor.FromArray([.. reward.SelectMany(v => Enumerable.Repeat(v, steps))], n, steps);
        Tensor loss = crossEntropy.Forward(r.Logits, labels).Add(mse.Forward(r.Baselines, rewards));
        if (r.LogPolicy is { } logPolicy)
        {
            int choices = logPolicy.Size(1);
            float[] baseline = r.Baselines.ToArray();
            float[] advantage = new float[n * choices];
            for (int i = 0; i < n; i++)
            {
                for (int t = 0; t < choices; t++)
                {
                    advantage[i * choices + t] = reward[i] - baseline[i * steps + t];
                }
            }

            loss = loss.Add(logPolicy.Mul(Tensor.FromArray(advantage, n, choices)).Sum().Mul(-1f / n));
        }

        return loss;
    }
}
