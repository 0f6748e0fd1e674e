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

        var model = new SequenceToSequenceModel(options, sourceVocabularySize, targetVocabularySize, random);
        int[] order = [.. Enumerable.Range(0, data.Count)];
        random.Shuffle(order);
        int held = options.ValidationFraction > 0 ? (int)Math.Round(data.Count * options.ValidationFraction) : 0;
        held = held >= data.Count ? 0 : held;
        int[] validation = order[..held], train = order[held..];
        int stepsPerEpoch = (train.Length + options.BatchSize - 1) / options.BatchSize;
        int totalSteps = Math.Max(1, stepsPerEpoch * options.Epochs);
        var schedule = new LearningRateSchedule(options.LearningRate, (int)(totalSteps * options.WarmupFraction), totalSteps);
        var optimizer = new AdamW(model.Parameters(), options.LearningRate, weightDecay: options.WeightDecay);
        var loss = new CrossEntropyLoss(ignoreIndex: SequencePairBatch.Ignored);
        var stopping = new EarlyStopping(model, options.EarlyStoppingPatience);
        Tensor Loss(SequencePairBatch batch)
        {
            Tensor logits = model.Forward(batch).Logits;
            return loss.Forward(logits.Reshape(batch.Batch * batch.TargetSteps, model.TargetVocabularySize), batch.TargetOutput);
        }

        int step = 0;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            model.Train();
            double total = 0;
            long tokens = 0;
            foreach (int[] rows in data.Buckets(train, options.BatchSize, random))
            {
                using TensorScope scope = TensorScope.Begin();
                schedule.Apply(optimizer, step++);
                optimizer.ZeroGrad();
                SequencePairBatch batch = data.Batch(rows);
                Tensor value = Loss(batch);
                value.Backward();
                if (options.GradientClipNorm > 0)
                {
                    GradientClipping.ClipGradNorm(model.Parameters(), options.GradientClipNorm);
                }

                optimizer.Step();
                int counted = batch.TargetLengths.Sum();
                total += value.Item() * counted;
                tokens += counted;
            }

            double trainLoss = total / tokens;
            double? validationLoss = validation.Length > 0 ? ValidationLoss.Mean(model, data.Buckets(validation, options.BatchSize, random: null), rows => Loss(data.Batch(rows))) : null;
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
