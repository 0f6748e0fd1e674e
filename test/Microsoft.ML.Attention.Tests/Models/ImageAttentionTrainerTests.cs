using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Tests.Models;

/// <summary>The image trainer's time budget and determinism, on tiny random images.</summary>
[TestClass]
public sealed class ImageAttentionTrainerTests
{
    private static ImageDataset Data(int seed)
    {
        var random = new Random(seed);
        var shape = new ImageShape(1, 8, 8);
        float[][] images = [.. Enumerable.Range(0, 64).Select(_ => Enumerable.Range(0, 64).Select(_ => random.NextSingle() * 255).ToArray())];
        return new ImageDataset(shape, images, [.. Enumerable.Range(0, 64).Select(i => i % 2)]);
    }

    private static ImageAttentionOptions Options() => new()
    {
        StageChannels = [4], ConvolutionsPerStage = 1, EmbeddingDimension = 8, Epochs = 5, BatchSize = 16, Attention = ImageAttentionKind.Cbam,
    };

    [TestMethod]
    public void TimeBudget_PlansOnlyTheEpochsThatFit()
    {
        ImageAttentionOptions options = Options();
        options.MaximumTrainingTime = TimeSpan.FromTicks(1);
        var reports = new List<EpochReport>();
        ImageAttentionTrainer.Train(options, 2, Data(1), new Random(2), reports.Add);
        Assert.HasCount(1, reports, "a budget shorter than one epoch runs the first epoch only");
        Assert.AreEqual(1, reports[0].Epochs, "and says it planned one");

        reports.Clear();
        options.MaximumTrainingTime = null;
        options.ValidationFraction = 0;
        ImageAttentionTrainer.Train(options, 2, Data(1), new Random(2), reports.Add);
        Assert.HasCount(5, reports, "without a budget (and no validation split to stop early) every epoch runs");
    }

    [TestMethod]
    public void SameSeed_SameNetwork()
    {
        float[] Weights(int seed) =>
            [.. ImageAttentionTrainer.Train(Options(), 2, Data(1), new Random(seed)).StateDict().OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value.ToArray())];
        CollectionAssert.AreEqual(Weights(3), Weights(3));
        CollectionAssert.AreNotEqual(Weights(3), Weights(4));
    }
}
