using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Trains an <see cref="AttentionEncoderModel"/> against class labels (cross-entropy) or values (mean squared error)
/// with AdamW, gradient clipping and early stopping on a held-out split; the best epoch's weights are kept.
/// Deterministic given the generator's state.
/// </summary>
public static class AttentionEncoderTrainer
{
    /// <summary>
    /// Builds the model <paramref name="options"/> describe and trains it as they say (epochs, batch size, AdamW
    /// learning rate and weight decay, clipping, validation split and patience); <paramref name="progress"/> hears
    /// about every epoch.
    /// </summary>
    /// <param name="options">The options, validated.</param>
    /// <param name="vocabularySize">Token ids the data uses (text input), or 0 (vector input).</param>
    /// <param name="outputs">The number of classes, or 1 for regression.</param>
    /// <param name="data">The training examples.</param>
    /// <param name="random">The generator for initialization, the split, shuffling and dropout.</param>
    /// <param name="progress">Called after every epoch, or null.</param>
    public static AttentionEncoderModel Train(AttentionEncodeOptions options, int vocabularySize, int outputs, SequenceDataset data, Random random, Action<EpochReport>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(random);
        if (data.Count == 0)
        {
            throw new ArgumentException("There are no training examples.", nameof(data));
        }

        // Every draw of the run (initial weights, the split, shuffles, dropout) comes from one generator whose state a
        // checkpoint can hold, so a resumed run continues exactly where the uninterrupted one would be.
        var generator = new StatefulRandom(random.NextInt64());
        var model = new AttentionEncoderModel(options, vocabularySize, outputs, generator);
        int[] order = [.. Enumerable.Range(0, data.Count)];
        generator.Shuffle(order);
        int held = options.ValidationFraction > 0 ? (int)Math.Round(data.Count * options.ValidationFraction) : 0;
        held = held >= data.Count ? 0 : held;
        int[] validation = order[..held], train = order[held..];
        var optimizer = new AdamW(model.Parameters(), options.LearningRate, weightDecay: options.WeightDecay);
        bool classify = outputs > 1;
        var crossEntropy = new CrossEntropyLoss();
        var mse = new MseLoss();
        var stopping = new EarlyStopping(model, options.EarlyStoppingPatience);
        TrainingLoop.Checkpointing? checkpoint = TrainingLoop.CheckpointingOf(options.CheckpointDirectory, options.ResumeFromCheckpoint, CheckpointFileName, () => Fingerprint(options, vocabularySize, outputs, data));
        var history = new List<EpochReport>();
        int first = TrainingCheckpoint.Resume(checkpoint, model, optimizer, stopping, generator, null,
            validation.Length > 0, options.Epochs, history, progress);

        for (int epoch = first; epoch <= options.Epochs; epoch++)
        {
            model.Train();
            int[] epochOrder = [.. train];
            generator.Shuffle(epochOrder);
            double total = 0;
            for (int start = 0; start < epochOrder.Length; start += options.BatchSize)
            {
                int[] idx = epochOrder[start..Math.Min(epochOrder.Length, start + options.BatchSize)];
                TrainingCancellation.ThrowIfRequested();
                using TensorScope scope = TensorScope.Begin();
                optimizer.ZeroGrad();
                Tensor loss = Loss(model, data, idx, classify, crossEntropy, mse);
                loss.Backward();
                if (options.GradientClipNorm > 0)
                {
                    GradientClipping.ClipGradNorm(model.Parameters(), options.GradientClipNorm);
                }

                optimizer.Step();
                total += loss.Item() * idx.Length;
            }

            double trainLoss = total / train.Length;
            double? validationLoss = validation.Length > 0 ? ValidationLoss.Mean(model, ValidationLoss.Slices(validation, options.BatchSize),
                batch => Loss(model, data, batch, classify, crossEntropy, mse)) : null;
            bool improved = stopping.Report(validationLoss ?? trainLoss);
            var epochReport = new EpochReport(epoch, options.Epochs, trainLoss, validationLoss, improved);
            history.Add(epochReport);
            if (checkpoint is not null)
            {
                TrainingCheckpoint.Save(checkpoint.Path, checkpoint.Fingerprint, epoch, model, optimizer, stopping, generator, history);
            }

            progress?.Invoke(epochReport);
            if (validation.Length > 0 && stopping.ShouldStop)
            {
                break;
            }
        }

        stopping.RestoreBest(); // by name, never by position: the state dictionary's order is not part of its contract

        model.Eval();
        return model;
    }

    /// <summary>The checkpoint's file name inside <see cref="AttentionEncodeOptions.CheckpointDirectory"/>.</summary>
    public const string CheckpointFileName = "attention-encode.checkpoint";

    /// <summary>
    /// What a checkpoint must have been written by to be resumed: the options that shape training (all but the
    /// checkpoint settings, the epoch count, which may be raised to train longer, and the scoring batch size), the
    /// vocabulary size, the outputs and a hash of the training data.
    /// </summary>
    private static string Fingerprint(AttentionEncodeOptions options, int vocabularySize, int outputs, SequenceDataset data)
    {
        AttentionEncodeOptions o = options.Clone();
        o.CheckpointDirectory = null;
        o.ResumeFromCheckpoint = false;
        o.Epochs = 1;
        o.ScoringBatchSize = 1;
        using var hash = new DataHash();
        hash.Append(data.Labels).AddAll(data.Tokens ?? []);
        foreach (float[] v in data.Vectors ?? [])
        {
            hash.Append(v);
        }

        return $"{System.Text.Json.JsonSerializer.Serialize(o)}|vocabulary={vocabularySize}|outputs={outputs}|rows={data.Count}|data={hash.Finish()}";
    }

    private static Tensor Loss(AttentionEncoderModel model, SequenceDataset data, int[] idx, bool classify, CrossEntropyLoss crossEntropy, MseLoss mse)
    {
        EncoderBatch batch = data.Batch(idx);
        Tensor output = model.Predict(model.Encode(batch).Output);
        if (classify)
        {
            int[] targets = [.. idx.Select(i => (int)data.Labels[i])];
            return crossEntropy.Forward(output, targets);
        }

        Tensor target = Tensor.FromArray([.. idx.Select(i => data.Labels[i])], idx.Length, 1);
        return mse.Forward(output, target);
    }
}
