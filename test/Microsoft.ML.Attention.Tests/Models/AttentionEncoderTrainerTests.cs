using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Tests.Models;

/// <summary>The encoder trainer keeps the best epoch's weights, and is deterministic given its generator.</summary>
[TestClass]
public sealed class AttentionEncoderTrainerTests
{
    [TestMethod]
    public void TheReturnedModel_HasTheWeightsTheBestEpochEndedWith()
    {
        // Noisy training (a large learning rate on little data) so that a later epoch is worse than an earlier one.
        var random = new Random(2);
        int[][] tokens = [.. Enumerable.Range(0, 60).Select(_ => Enumerable.Range(0, 6).Select(_ => random.Next(2, 12)).ToArray())];
        float[] labels = [.. tokens.Select(t => (float)(t[3] % 2))];
        SequenceDataset data = SequenceDataset.FromTokens(tokens, labels);
        var options = new AttentionEncodeOptions
        {
            ModelDimension = 8, Heads = 2, Layers = 1, FeedForwardDimension = 16, Dropout = 0.1f, MaximumLength = 6, Epochs = 7,
            BatchSize = 8, LearningRate = 0.05f, ValidationFraction = 0.3f, EarlyStoppingPatience = 8,
        };
        var reports = new List<EpochReport>();
        AttentionEncoderModel full = AttentionEncoderTrainer.Train(options, 12, 2, data, new Random(7), reports.Add);
        int best = reports.Last(r => r.Improved).Epoch;
        Assert.IsLessThan(reports.Count, best, $"the test needs a best epoch before the last (reports: {string.Join(", ", reports.Select(r => r.ValidationLoss?.ToString("F3")))})");

        // The same generator and data, stopped at the best epoch: the same weights, by name.
        options.Epochs = best;
        AttentionEncoderModel upToBest = AttentionEncoderTrainer.Train(options, 12, 2, data, new Random(7));
        IReadOnlyDictionary<string, Microsoft.ML.Attention.Tensors.Tensor> expected = upToBest.StateDict();
        foreach ((string name, Microsoft.ML.Attention.Tensors.Tensor t) in full.StateDict())
        {
            CollectionAssert.AreEqual(expected[name].ToArray(), t.ToArray(), $"{name} after restoring epoch {best} of {reports.Count}");
        }
    }
}
