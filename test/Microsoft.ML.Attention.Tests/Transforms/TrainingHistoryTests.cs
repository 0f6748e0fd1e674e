using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tests.Support;
using Microsoft.ML.Attention.Transforms;

namespace Microsoft.ML.Attention.Tests.Transforms;

/// <summary>The fitted text transformers keep their <c>Fit</c>'s epochs (what the command line draws as a training curve).</summary>
[TestClass]
public sealed class TrainingHistoryTests
{
    [TestMethod]
    public void AttentionEncode_KeepsOneReportPerEpochRun_UntilSaved()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(LateWordTask.Generate(300, seed: 3));
        IDataView keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        AttentionEncodeTransformer model = ml.Transforms.AttentionEncode(new AttentionEncodeOptions { ModelDimension = 16, Heads = 2, Layers = 1, FeedForwardDimension = 16, Epochs = 3, MaximumLength = 24, Seed = 1 }).Fit(keyed);
        AssertHistory(model.TrainingHistory, 3);
        Assert.AreSame(model.TrainingHistory, model.WithScoringBatchSize(1).TrainingHistory, "a scoring variant keeps it");

        string path = Path.Combine(Path.GetTempPath(), $"history-{Guid.NewGuid():N}.zip");
        ml.Model.SaveWithAttention(model, keyed.Schema, path);
        var loaded = (AttentionEncodeTransformer)ml.Model.LoadWithAttention(path, out _);
        File.Delete(path);
        Assert.IsEmpty(loaded.TrainingHistory, "the history is not saved");
    }

    [TestMethod]
    public void HierarchicalAttention_KeepsOneReportPerEpochRun()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(CueSentenceTask.Generate(120, seed: 3));
        IDataView keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var options = new HierarchicalAttentionOptions { EmbeddingDimension = 8, HiddenSize = 8, AttentionDimension = 8, Epochs = 2, MinimumWordCount = 1, Seed = 2 };
        HierarchicalAttentionTransformer model = ml.MulticlassClassification.Trainers.HierarchicalAttention(options).Fit(keyed);
        AssertHistory(model.TrainingHistory, 2);
    }

    private static void AssertHistory(IReadOnlyList<EpochReport> history, int epochs)
    {
        Assert.IsTrue(history.Count is >= 1 && history.Count <= epochs, $"{history.Count} reports for at most {epochs} epochs");
        CollectionAssert.AreEqual(Enumerable.Range(1, history.Count).ToArray(), history.Select(e => e.Epoch).ToArray());
        Assert.IsTrue(history.All(e => double.IsFinite(e.TrainLoss) && e.TrainLoss > 0 && e.Epochs == epochs));
        Assert.IsTrue(history.All(e => e.ValidationLoss is double v && double.IsFinite(v)), "the default holds out rows for early stopping");
    }
}
