using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Trains a <see cref="HierarchicalAttentionModel"/> with cross-entropy, AdamW under a warm-up + cosine schedule,
/// gradient clipping, batches bucketed by document shape and each cut into pieces run at once on the cores
/// (<see cref="DataParallelStep"/>), and early stopping on a held-out split (the best epoch's
/// weights are kept). Deterministic given the generator's state.
/// </summary>
public static class HierarchicalAttentionTrainer
{
    /// <summary>Builds and trains the model; <paramref name="progress"/> hears about every epoch.</summary>
    /// <param name="options">The options, validated.</param>
    /// <param name="vocabularySize">Token ids the documents use.</param>
    /// <param name="classes">Classes (2 or more); labels are 0…classes−1.</param>
    /// <param name="data">The training documents.</param>
    /// <param name="random">The generator for initialization, the split, batching and dropout.</param>
    /// <param name="progress">Called after every epoch, or null.</param>
    /// <param name="pretrained">Initial word vectors by token id (e.g. from <see cref="EmbeddingFile"/>), or null.</param>
    public static HierarchicalAttentionModel Train(HierarchicalAttentionOptions options, int vocabularySize, int classes, DocumentDataset data, Random random,
        Action<EpochReport>? progress = null, IReadOnlyDictionary<int, float[]>? pretrained = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(random);
        if (data.Count == 0)
        {
            throw new ArgumentException("There are no training documents.", nameof(data));
        }

        if (data.Labels.Any(l => l < 0 || l >= classes))
        {
            throw new ArgumentException($"A label is outside 0…{classes - 1}.", nameof(data));
        }

        // One generator, whose state a checkpoint holds, for every draw of the run (as AttentionEncoderTrainer).
        var generator = new StatefulRandom(random.NextInt64());
        var model = new HierarchicalAttentionModel(options, vocabularySize, classes, generator);
        if (pretrained is not null)
        {
            Span<float> table = model.Embedding.Weight.AsSpan();
            int e = options.EmbeddingDimension;
            foreach ((int id, float[] vector) in pretrained)
            {
                if (id <= Vocabulary.Unknown || id >= vocabularySize || vector.Length != e)
                {
                    throw new ArgumentException($"Pretrained vector for id {id} (of {vector.Length} values): ids run from 2 to {vocabularySize - 1}, vectors have {e} values.", nameof(pretrained));
                }

                vector.CopyTo(table.Slice(id * e, e));
            }
        }
        int[] order = [.. Enumerable.Range(0, data.Count)];
        generator.Shuffle(order);
        int held = options.ValidationFraction > 0 ? (int)Math.Round(data.Count * options.ValidationFraction) : 0;
        held = held >= data.Count ? 0 : held;
        int[] validation = order[..held], train = order[held..];
        int stepsPerEpoch = (train.Length + options.BatchSize - 1) / options.BatchSize;
        int totalSteps = Math.Max(1, stepsPerEpoch * options.Epochs);
        var schedule = new LearningRateSchedule(options.LearningRate, (int)(totalSteps * options.WarmupFraction), totalSteps);
        var optimizer = new AdamW(model.Parameters(), options.LearningRate, weightDecay: options.WeightDecay);
        var loss = new CrossEntropyLoss();
        var stopping = new EarlyStopping(model, options.EarlyStoppingPatience);
        ExponentialMovingAverage? average = options.WeightAverageDecay > 0 ? new ExponentialMovingAverage(model, options.WeightAverageDecay) : null;
        TrainingLoop.Checkpointing? checkpoint = TrainingLoop.CheckpointingOf(options.CheckpointDirectory, options.ResumeFromCheckpoint, CheckpointFileName, () => Fingerprint(options, vocabularySize, classes, data, pretrained is not null));
        var history = new List<EpochReport>();
        var pieces = new DataParallelStep([.. model.Parameters()], generator);
        int first = TrainingCheckpoint.Resume(checkpoint, model, optimizer, stopping, generator, average,
            validation.Length > 0, options.Epochs, history, progress);

        int step = optimizer.StepCount;
        for (int epoch = first; epoch <= options.Epochs; epoch++)
        {
            model.Train();
            double total = 0;
            foreach (int[] rows in data.Buckets(train, options.BatchSize, generator))
            {
                TrainingCancellation.ThrowIfRequested();
                using TensorScope scope = TensorScope.Begin();
                schedule.Apply(optimizer, step++);
                optimizer.ZeroGrad();
                (double value, _) = pieces.Run(rows, piece => (loss.Forward(model.Forward(data.Batch(piece)).Logits, [.. piece.Select(r => data.Labels[r])]), piece.Length));
                if (options.GradientClipNorm > 0)
                {
                    GradientClipping.ClipGradNorm(model.Parameters(), options.GradientClipNorm);
                }

                optimizer.Step();
                average?.Update();
                total += value * rows.Length;
            }

            double trainLoss = total / train.Length;

            // Validation and the snapshot the best epoch keeps use the averaged weights; training goes on from the live ones.
            average?.Swap();
            double? validationLoss = validation.Length > 0 ? ValidationLoss.Mean(model, data.Buckets(validation, options.BatchSize, random: null),
                batch => loss.Forward(model.Forward(data.Batch(batch)).Logits, [.. batch.Select(r => data.Labels[r])])) : null;
            bool improved = stopping.Report(validationLoss ?? trainLoss);
            average?.Swap();
            var epochReport = new EpochReport(epoch, options.Epochs, trainLoss, validationLoss, improved);
            history.Add(epochReport);
            if (checkpoint is not null)
            {
                TrainingCheckpoint.Save(checkpoint.Path, checkpoint.Fingerprint, epoch, model, optimizer, stopping, generator, history, average);
            }

            progress?.Invoke(epochReport);
            if (validation.Length > 0 && stopping.ShouldStop)
            {
                break;
            }
        }

        stopping.RestoreBest();
        model.Eval();
        return model;
    }

    /// <summary>The checkpoint's file name inside <see cref="HierarchicalAttentionOptions.CheckpointDirectory"/>.</summary>
    public const string CheckpointFileName = "hierarchical-attention.checkpoint";

    /// <summary>What a checkpoint must have been written by: every training option (the epoch count included) but the checkpoint and scoring settings, the sizes and a hash of the documents.</summary>
    private static string Fingerprint(HierarchicalAttentionOptions options, int vocabularySize, int classes, DocumentDataset data, bool pretrained)
    {
        HierarchicalAttentionOptions o = options.Clone();
        o.CheckpointDirectory = null;
        o.ResumeFromCheckpoint = false;
        o.ScoringBatchSize = 1;
        using var hash = new DataHash();
        hash.Append(data.Labels);
        foreach (int[][] document in data.Documents)
        {
            hash.AddAll(document).Mark(-2); // each sentence ends in −1, each document in −2
        }

        return $"{System.Text.Json.JsonSerializer.Serialize(o)}|vocabulary={vocabularySize}|classes={classes}|pretrained={pretrained}|documents={data.Count}|data={hash.Finish()}";
    }
}
