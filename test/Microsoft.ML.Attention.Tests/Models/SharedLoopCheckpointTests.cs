using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tests.Sequences;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Models;

/// <summary>
/// Checkpoints of the trainers that share TrainingLoop — sequence-to-sequence, time-step attention, co-attention: a
/// Fit stopped at the first batch of its third epoch (as a killed process would be; the epoch-2 checkpoint stays) and
/// resumed ends with the uninterrupted run's outputs, bit for bit, and its epochs 3 and 4 report the same losses; another
/// run's checkpoint is refused naming the file. Nothing is held out, so the weights kept are those of the last epochs
/// (early stopping on a held-out split could keep an epoch-2 best and hide what the resumed epochs did).
/// </summary>
[TestClass]
public sealed class SharedLoopCheckpointTests
{
    [TestMethod]
    public void SequenceToSequence_StoppedMidEpoch_Resumed_EqualsTheUninterruptedRun()
    {
        var ml = new MLContext(seed: 1);
        IDataView Data(int seed) => ml.Data.LoadFromEnumerable(SequenceToSequencePipelineTests.Phrases(80, seed).Select(p => new SequenceToSequencePipelineTests.Pair { Source = p.Source, Target = p.Target }));
        AssertResumes(SequenceToSequenceTrainer.CheckpointFileName, Data(3), Data(4), ["Prediction", "Alignment"], (context, directory, resume) => context.Transforms.SequenceToSequence(new SequenceToSequenceOptions
        {
            SourceColumnName = "Source", TargetColumnName = "Target", Unit = TextUnit.Word, EmbeddingDimension = 8, HiddenSize = 8, AttentionDimension = 8,
            Epochs = 4, ValidationFraction = 0, Seed = 2, AlignmentColumnName = "Alignment", CheckpointDirectory = directory, ResumeFromCheckpoint = resume,
        }));
    }

    [TestMethod]
    public void TimeStepAttention_StoppedMidEpoch_Resumed_EqualsTheUninterruptedRun()
    {
        var ml = new MLContext(seed: 1);
        IDataView Data(int seed)
        {
            IDataView rows = ml.Data.LoadFromEnumerable(TimeStepAttentionPipelineTests.SeedTask(200, seed));
            return ml.Transforms.Conversion.MapValueToKey("Label").Fit(rows).Transform(rows);
        }

        AssertResumes(TimeStepAttentionTrainer.CheckpointFileName, Data(3), Data(4), ["Score", "StepWeights"], (context, directory, resume) => context.MulticlassClassification.Trainers.TimeStepAttention(new TimeStepAttentionOptions
        {
            HiddenSize = 8, Epochs = 4, ValidationFraction = 0, Seed = 2, StepAttentionColumnName = "StepWeights", CheckpointDirectory = directory, ResumeFromCheckpoint = resume,
        }));
    }

    [TestMethod]
    public void CoAttention_StoppedMidEpoch_Resumed_EqualsTheUninterruptedRun()
    {
        var ml = new MLContext(seed: 1);
        IDataView Data(int seed) => ml.Data.LoadFromEnumerable(CoAttentionPipelineTests.Pairs(160, seed));
        AssertResumes(CoAttentionTrainer.CheckpointFileName, Data(3), Data(4), ["Score", "Alignment"], (context, directory, resume) => context.BinaryClassification.Trainers.CoAttention(new CoAttentionOptions
        {
            FirstColumnName = "First", SecondColumnName = "Second", EmbeddingDimension = 8, HiddenSize = 8, AttentionDimension = 8, Epochs = 4, ValidationFraction = 0,
            Seed = 2, FirstToSecondAttentionColumnName = "Alignment", CheckpointDirectory = directory, ResumeFromCheckpoint = resume,
        }));
    }

    /// <summary>
    /// Fits without checkpoints; fits again with them, stopped at the first batch of epoch 3; resumes; the outputs of
    /// <paramref name="columns"/> are the same bits. Then a resume on <paramref name="other"/> data is refused.
    /// </summary>
    private static void AssertResumes<TTransformer>(string fileName, IDataView data, IDataView other, string[] columns, Func<MLContext, string?, bool, IEstimator<TTransformer>> estimator)
        where TTransformer : ITransformer
    {
        string root = Directory.CreateTempSubdirectory("checkpoint-loop-").FullName;
        try
        {
            List<string> Epochs(MLContext context)
            {
                var lines = new List<string>();
                context.Log += (_, e) => { if (e.Message.Contains(": epoch ", StringComparison.Ordinal) && e.Message.Contains("train loss", StringComparison.Ordinal)) lines.Add(e.Message[e.Message.IndexOf(": epoch ", StringComparison.Ordinal)..]); };
                return lines;
            }

            var straightContext = new MLContext(seed: 1);
            List<string> straightEpochs = Epochs(straightContext);
            TTransformer straight = estimator(straightContext, null, false).Fit(data);
            using var stop = new CancellationTokenSource();
            var logging = new MLContext(seed: 1);
            logging.Log += (_, e) => { if (e.Message.Contains(": epoch 2/4", StringComparison.Ordinal)) stop.Cancel(); };
            using (TrainingCancellation.Use(stop.Token))
            {
                Assert.ThrowsExactly<OperationCanceledException>(() => estimator(logging, root, false).Fit(data));
            }

            Assert.IsTrue(File.Exists(Path.Combine(root, fileName)), $"the epoch-2 checkpoint {fileName}");
            var resumedContext = new MLContext(seed: 1);
            List<string> resumedEpochs = Epochs(resumedContext);
            TTransformer resumed = estimator(resumedContext, root, true).Fit(data);
            CollectionAssert.AreEqual(straightEpochs.Where(l => l.Contains("epoch 3/4") || l.Contains("epoch 4/4")).ToArray(), resumedEpochs.Where(l => l.Contains("epoch 3/4") || l.Contains("epoch 4/4")).ToArray(),
                $"the resumed epochs' losses ({string.Join(" | ", straightEpochs)})");
            Assert.HasCount(4, straightEpochs);
            IDataView a = straight.Transform(data), b = resumed.Transform(data);
            foreach (string column in columns)
            {
                string[] x = Values(a, column), y = Values(b, column);
                Assert.IsGreaterThan(1, x.Distinct().Count(), $"{column} varies by row (the comparison shows something)");
                CollectionAssert.AreEqual(x, y, $"{column}: the resumed run's outputs");
            }

            var e = Assert.ThrowsExactly<InvalidDataException>(() => estimator(new MLContext(seed: 1), root, true).Fit(other));
            StringAssert.Contains(e.Message, fileName);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Each row's value of <paramref name="column"/> as text, floats by their bits.</summary>
    private static string[] Values(IDataView data, string column)
    {
        static string Bits(IEnumerable<float> v) => string.Join(",", v.Select(f => BitConverter.SingleToInt32Bits(f).ToString("x8", System.Globalization.CultureInfo.InvariantCulture)));
        DataViewType type = data.Schema[column].Type;
        return type switch
        {
            TextDataViewType => [.. data.GetColumn<string>(column)],
            VectorDataViewType { ItemType: NumberDataViewType } => [.. data.GetColumn<float[]>(column).Select(Bits)],
            _ => [.. data.GetColumn<float>(column).Select(f => Bits([f]))],
        };
    }
}
