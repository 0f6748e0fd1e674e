using System.Diagnostics;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Transforms;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Models;

/// <summary>
/// Checkpoints and resume: a training process (test/Microsoft.ML.Attention.TrainingProbe) killed in the middle of an
/// epoch and started again with ResumeFromCheckpoint ends with the weights of an uninterrupted run, bit for bit; a run
/// resumed with more epochs equals one longer run; another run's checkpoint is refused; the generator, the optimizer
/// and the early-stopping monitor give back their state.
/// </summary>
[TestClass]
public sealed class CheckpointResumeTests
{
    private static string Probe => Path.Combine(AppContext.BaseDirectory, "Microsoft.ML.Attention.TrainingProbe.dll");

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void KilledMidEpoch_Resumed_EqualsTheUninterruptedRun()
    {
        string root = Directory.CreateTempSubdirectory("checkpoint-kill-").FullName;
        try
        {
            string straight = Path.Combine(root, "straight"), killed = Path.Combine(root, "killed");
            Directory.CreateDirectory(straight);
            Directory.CreateDirectory(killed);
            (int code, List<string> lines) = Run(straight, Path.Combine(root, "straight.txt"), resume: false, killAfterEpoch: null);
            Assert.AreEqual(0, code, string.Join("\n", lines));

            // Killed 300 ms into epoch 3 (epochs take about a second): the checkpoint of epoch 2 is on disk, nothing else.
            (code, lines) = Run(killed, Path.Combine(root, "killed.txt"), resume: false, killAfterEpoch: 2);
            Assert.AreNotEqual(0, code, "the process was killed");
            Assert.IsFalse(lines.Any(l => l.Contains("epoch 3/6", StringComparison.Ordinal)), "killed before epoch 3 ended: " + string.Join("\n", lines));
            Assert.IsFalse(File.Exists(Path.Combine(root, "killed.txt")));
            Assert.IsTrue(File.Exists(Path.Combine(killed, AttentionEncoderTrainer.CheckpointFileName)));

            (code, lines) = Run(killed, Path.Combine(root, "killed.txt"), resume: true, killAfterEpoch: null);
            Assert.AreEqual(0, code, string.Join("\n", lines));
            Assert.IsTrue(lines.Any(l => l.Contains("epoch 6/6", StringComparison.Ordinal)));
            CollectionAssert.AreEqual(File.ReadAllLines(Path.Combine(root, "straight.txt")), File.ReadAllLines(Path.Combine(root, "killed.txt")),
                "the resumed run's embeddings (float bits) equal the uninterrupted run's");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void ResumedWithMoreEpochs_EqualsOneLongerRun_AndKeepsTheHistory()
    {
        string root = Directory.CreateTempSubdirectory("checkpoint-extend-").FullName;
        try
        {
            var ml = new MLContext(seed: 1);
            IDataView data = Keyed(ml);
            float[][] longer = Embeddings(ml, data, Options(epochs: 4, directory: null, resume: false), out IReadOnlyList<EpochReport> longerHistory);
            Embeddings(ml, data, Options(epochs: 2, directory: root, resume: false), out _);
            float[][] resumed = Embeddings(ml, data, Options(epochs: 4, directory: root, resume: true), out IReadOnlyList<EpochReport> history);
            for (int r = 0; r < longer.Length; r++)
            {
                CollectionAssert.AreEqual(longer[r], resumed[r], $"row {r}");
            }

            CollectionAssert.AreEqual(new[] { 1, 2, 3, 4 }, history.Select(h => h.Epoch).ToArray(), "epochs 1-2 from the checkpoint, 3-4 trained");

            // The final weights are the best epoch's, which may be an early one: the losses of epochs 3 and 4 show the
            // continued training itself was the longer run's.
            CollectionAssert.AreEqual(longerHistory.Select(h => (h.Epoch, h.TrainLoss, h.ValidationLoss, h.Improved)).ToArray(),
                history.Select(h => (h.Epoch, h.TrainLoss, h.ValidationLoss, h.Improved)).ToArray(), "every epoch's losses");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void HierarchicalAttention_StoppedMidEpoch_Resumed_EqualsTheUninterruptedRun()
    {
        string root = Directory.CreateTempSubdirectory("checkpoint-han-").FullName;
        try
        {
            HierarchicalAttentionOptions Han(string? directory, bool resume) => new()
            {
                EmbeddingDimension = 8, HiddenSize = 8, AttentionDimension = 8, Epochs = 4, MinimumWordCount = 1, Seed = 2,
                WeightAverageDecay = 0.9f, EarlyStoppingPatience = 10, CheckpointDirectory = directory, ResumeFromCheckpoint = resume,
            };
            var ml = new MLContext(seed: 1);
            IDataView data = ml.Data.LoadFromEnumerable(CueSentenceTask.Generate(120, seed: 3));
            IDataView keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
            var straight = ml.MulticlassClassification.Trainers.HierarchicalAttention(Han(null, false)).Fit(keyed);

            // Stopped at the first batch of epoch 3, as a killed process would be: the checkpoint of epoch 2 stays.
            using var stop = new CancellationTokenSource();
            var logging = new MLContext(seed: 1);
            logging.Log += (_, e) => { if (e.Message.Contains("HierarchicalAttention: epoch 2/4", StringComparison.Ordinal)) stop.Cancel(); };
            using (Microsoft.ML.Attention.Models.TrainingCancellation.Use(stop.Token))
            {
                Assert.ThrowsExactly<OperationCanceledException>(() => logging.MulticlassClassification.Trainers.HierarchicalAttention(Han(root, false)).Fit(keyed));
            }

            var resumed = ml.MulticlassClassification.Trainers.HierarchicalAttention(Han(root, resume: true)).Fit(keyed);
            float[][] a = [.. straight.Transform(keyed).GetColumn<float[]>("Score")], b = [.. resumed.Transform(keyed).GetColumn<float[]>("Score")];
            for (int r = 0; r < a.Length; r++)
            {
                CollectionAssert.AreEqual(a[r], b[r], $"row {r}");
            }

            CollectionAssert.AreEqual(straight.TrainingHistory.Select(h => (h.TrainLoss, h.ValidationLoss)).ToArray(), resumed.TrainingHistory.Select(h => (h.TrainLoss, h.ValidationLoss)).ToArray(), "every epoch's losses");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void ImageAttention_StoppedMidEpoch_Resumed_EqualsTheUninterruptedRun()
    {
        string root = Directory.CreateTempSubdirectory("checkpoint-image-").FullName;
        try
        {
            ImageAttentionOptions Image(string? directory, bool resume) => new()
            {
                Attention = ImageAttentionKind.Cbam, StageChannels = [4, 8], ConvolutionsPerStage = 1, EmbeddingDimension = 8, Epochs = 4, BatchSize = 16,
                Seed = 2, EarlyStoppingPatience = 10, RandomHorizontalFlip = true, CheckpointDirectory = directory, ResumeFromCheckpoint = resume,
                AttentionMapColumnName = "Map",
            };
            var ml = new MLContext(seed: 1);
            IDataView data = ml.Data.LoadFromEnumerable(Onnx.ImageAttentionOnnxTests.Pictures(60, seed: 3));
            IDataView keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
            var straight = ml.MulticlassClassification.Trainers.ImageAttention(Image(null, false)).Fit(keyed);

            // Stopped at the first batch of epoch 3, as a killed process would be: the checkpoint of epoch 2 stays.
            using var stop = new CancellationTokenSource();
            var logging = new MLContext(seed: 1);
            logging.Log += (_, e) => { if (e.Message.Contains("ImageAttention: epoch 2/4", StringComparison.Ordinal)) stop.Cancel(); };
            using (Microsoft.ML.Attention.Models.TrainingCancellation.Use(stop.Token))
            {
                Assert.ThrowsExactly<OperationCanceledException>(() => logging.MulticlassClassification.Trainers.ImageAttention(Image(root, false)).Fit(keyed));
            }

            Assert.IsTrue(File.Exists(Path.Combine(root, ImageAttentionTrainer.CheckpointFileName)), "the epoch-2 checkpoint");
            var resumed = ml.MulticlassClassification.Trainers.ImageAttention(Image(root, resume: true)).Fit(keyed);
            foreach (string column in new[] { "Score", "Map" })
            {
                float[][] a = [.. straight.Transform(keyed).GetColumn<float[]>(column)], b = [.. resumed.Transform(keyed).GetColumn<float[]>(column)];
                for (int r = 0; r < a.Length; r++)
                {
                    CollectionAssert.AreEqual(a[r], b[r], $"{column} row {r}");
                }
            }

            Assert.HasCount(4, straight.TrainingHistory);
            CollectionAssert.AreEqual(straight.TrainingHistory.Select(h => (h.TrainLoss, h.ValidationLoss)).ToArray(), resumed.TrainingHistory.Select(h => (h.TrainLoss, h.ValidationLoss)).ToArray(), "every epoch's losses");

            // Another run's checkpoint (other images) is refused, naming the file.
            IDataView other = ml.Data.LoadFromEnumerable(Onnx.ImageAttentionOnnxTests.Pictures(60, seed: 4));
            IDataView otherKeyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(other).Transform(other);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => ml.MulticlassClassification.Trainers.ImageAttention(Image(root, resume: true)).Fit(otherKeyed));
            StringAssert.Contains(e.Message, ImageAttentionTrainer.CheckpointFileName);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void RecurrentAttention_StoppedMidEpoch_Resumed_EqualsTheUninterruptedRun()
    {
        string root = Directory.CreateTempSubdirectory("checkpoint-glimpses-").FullName;
        try
        {
            RecurrentAttentionOptions Glimpses(string? directory, bool resume) => new()
            {
                Glimpses = 3, PatchSize = 4, Scales = 2, GlimpseHidden = 8, HiddenSize = 8, Epochs = 4, BatchSize = 16, Seed = 2, LocationsColumnName = "Locations",
                CheckpointDirectory = directory, ResumeFromCheckpoint = resume,
            };
            var ml = new MLContext(seed: 1);
            IDataView data = ml.Data.LoadFromEnumerable(Onnx.ImageAttentionOnnxTests.Pictures(60, seed: 3));
            IDataView keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
            var losses = new List<string>();
            var straightContext = new MLContext(seed: 1);
            straightContext.Log += (_, e) => { if (e.Message.Contains("train loss", StringComparison.Ordinal)) losses.Add(e.Message[e.Message.IndexOf(": epoch ", StringComparison.Ordinal)..]); };
            var straight = straightContext.MulticlassClassification.Trainers.RecurrentAttention(Glimpses(null, false)).Fit(keyed);

            // Stopped at the first batch of epoch 3, as a killed process would be: the checkpoint of epoch 2 stays.
            using var stop = new CancellationTokenSource();
            var logging = new MLContext(seed: 1);
            logging.Log += (_, e) => { if (e.Message.Contains("RecurrentAttention: epoch 2/4", StringComparison.Ordinal)) stop.Cancel(); };
            using (Microsoft.ML.Attention.Models.TrainingCancellation.Use(stop.Token))
            {
                Assert.ThrowsExactly<OperationCanceledException>(() => logging.MulticlassClassification.Trainers.RecurrentAttention(Glimpses(root, false)).Fit(keyed));
            }

            Assert.IsTrue(File.Exists(Path.Combine(root, RecurrentAttentionTrainer.CheckpointFileName)), "the epoch-2 checkpoint");
            var resumedLosses = new List<string>();
            var resumedContext = new MLContext(seed: 1);
            resumedContext.Log += (_, e) => { if (e.Message.Contains("train loss", StringComparison.Ordinal)) resumedLosses.Add(e.Message[e.Message.IndexOf(": epoch ", StringComparison.Ordinal)..]); };
            var resumed = resumedContext.MulticlassClassification.Trainers.RecurrentAttention(Glimpses(root, resume: true)).Fit(keyed);
            Assert.HasCount(4, losses);
            CollectionAssert.AreEqual(losses, resumedLosses, "every epoch's loss, the checkpoint's two replayed");
            foreach (string column in new[] { "Score", "Locations" })
            {
                float[][] a = [.. straight.Transform(keyed).GetColumn<float[]>(column)], b = [.. resumed.Transform(keyed).GetColumn<float[]>(column)];
                Assert.IsGreaterThan(1, a.Select(r => string.Join(",", r)).Distinct().Count(), $"{column} varies by image");
                for (int r = 0; r < a.Length; r++)
                {
                    CollectionAssert.AreEqual(a[r], b[r], $"{column} row {r}");
                }
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void AnotherRunsCheckpoint_IsRefused_AndBadSettingsNamed()
    {
        string root = Directory.CreateTempSubdirectory("checkpoint-other-").FullName;
        try
        {
            var ml = new MLContext(seed: 1);
            IDataView data = Keyed(ml);
            Embeddings(ml, data, Options(epochs: 1, directory: root, resume: false), out _);
            AttentionEncodeOptions other = Options(epochs: 2, directory: root, resume: true);
            other.ModelDimension = 8;
            var e = Assert.ThrowsExactly<InvalidDataException>(() => ml.Transforms.AttentionEncode(other).Fit(data));
            StringAssert.Contains(e.Message, "another training run");
            StringAssert.Contains(e.Message, AttentionEncoderTrainer.CheckpointFileName);

            var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AttentionEncode(Options(1, Path.Combine(root, "nope"), false)));
            StringAssert.Contains(missing.Message, "does not exist");
            var alone = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AttentionEncode(Options(1, null, resume: true)));
            StringAssert.Contains(alone.Message, "CheckpointDirectory");

            File.WriteAllText(Path.Combine(root, AttentionEncoderTrainer.CheckpointFileName), "not a checkpoint");
            var damaged = Assert.ThrowsExactly<InvalidDataException>(() => ml.Transforms.AttentionEncode(Options(2, root, true)).Fit(data));
            StringAssert.Contains(damaged.Message, AttentionEncoderTrainer.CheckpointFileName);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void StatefulRandom_RestoredState_RepeatsTheDraws()
    {
        var a = new StatefulRandom(42);
        for (int i = 0; i < 10; i++)
        {
            a.Next();
        }

        ulong[] state = a.State;
        double[] expected = [a.NextDouble(), a.Next(7), a.Next(-3, 3), a.NextSingle(), a.NextInt64(1L << 40)];
        var b = new StatefulRandom(1);
        b.Restore(state);
        double[] actual = [b.NextDouble(), b.Next(7), b.Next(-3, 3), b.NextSingle(), b.NextInt64(1L << 40)];
        CollectionAssert.AreEqual(expected, actual);
        int[] counts = new int[5];
        for (int i = 0; i < 50_000; i++)
        {
            counts[b.Next(5)]++;
        }

        Assert.IsTrue(counts.All(c => Math.Abs(c - 10_000) < 400), "Next(5) uniform: " + string.Join(", ", counts));
        Assert.ThrowsExactly<ArgumentException>(() => b.Restore([0, 0, 0, 0]));
    }

    [TestMethod]
    public void AdamState_LoadedIntoAFreshOptimizer_ContinuesIdentically()
    {
        Tensor Param() => Tensor.FromArray([0.5f, -1f, 2f], 3);
        Tensor p1 = Param(), p2 = Param();
        var a = new AdamW([p1], 0.1f);
        void StepWith(Optimizer o, Tensor p, float g)
        {
            p.Grad = Tensor.FromArray([g, -g, 2 * g], 3);
            o.Step();
        }

        StepWith(a, p1, 1f);
        StepWith(a, p1, 0.5f);
        p1.AsSpan().CopyTo(p2.AsSpan());
        var b = new AdamW([p2], 0.1f);
        b.LoadStateDict(a.StateDict());
        Assert.AreEqual(2, b.StepCount);
        StepWith(a, p1, -0.25f);
        StepWith(b, p2, -0.25f);
        CollectionAssert.AreEqual(p1.ToArray(), p2.ToArray());
        var wrong = new AdamW([Tensor.FromArray([1f], 1)], 0.1f);
        Assert.ThrowsExactly<ArgumentException>(() => wrong.LoadStateDict(a.StateDict()));
    }

    private static (int ExitCode, List<string> Lines) Run(string directory, string output, bool resume, int? killAfterEpoch)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { Probe, directory, output }.Concat(resume ? ["resume"] : []))
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start)!;
        var lines = new List<string>();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add(e.Data); };
        process.BeginErrorReadLine();
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null)
        {
            lock (lines)
            {
                lines.Add(line);
            }

            if (killAfterEpoch is int k && line.Contains($"epoch {k}/", StringComparison.Ordinal))
            {
                Thread.Sleep(300);
                process.Kill(entireProcessTree: true);
            }
        }

        process.WaitForExit();
        return (process.ExitCode, lines);
    }

    private static IDataView Keyed(MLContext ml)
    {
        IDataView data = ml.Data.LoadFromEnumerable(LateWordTask.Generate(200, seed: 3));
        return ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
    }

    private static AttentionEncodeOptions Options(int epochs, string? directory, bool resume) => new()
    {
        ModelDimension = 16, Heads = 2, Layers = 1, FeedForwardDimension = 32, Epochs = epochs, MaximumLength = 24, Seed = 4,
        EarlyStoppingPatience = 10, CheckpointDirectory = directory, ResumeFromCheckpoint = resume,
    };

    private static float[][] Embeddings(MLContext ml, IDataView data, AttentionEncodeOptions options, out IReadOnlyList<EpochReport> history)
    {
        var model = ml.Transforms.AttentionEncode(options).Fit(data);
        history = model.TrainingHistory;
        return [.. model.Transform(data).GetColumn<float[]>("Embedding")];
    }
}
