using System.Diagnostics;
using Microsoft.ML.Attention.AutoML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.AutoML;

/// <summary>A sweep through the pack's AutoML API as a user writes it: text classification under a 60-second budget.</summary>
[TestClass]
public sealed class AttentionExperimentTests
{
    private const uint Budget = 60;

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task TextClassificationSweep_KeepsItsBudget_TriesSeveralConfigurations_AndBeatsTheDefaults()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Votes(500, seed: 11));
        DataOperationsCatalog.TrainTestData split = ml.Data.TrainTestSplit(data, 0.5, seed: 1);
        AttentionExperiment experiment = ml.AttentionAuto().CreateExperiment()
            .SetPipeline(ml.AttentionAuto().TextClassification("Label", "Text", maximumWords: 32))
            .SetDataset(split.TrainSet, split.TestSet)
            .SetMulticlassClassificationMetric(SweepMetric.MacroAccuracy, "Label", "PredictedLabel")
            .SetTrainingTimeInSeconds(Budget)
            .SetSeed(3);
        var reported = new List<TrialResult>();
        experiment.TrialCompleted += (_, trial) =>
        {
            reported.Add(trial);
            Console.WriteLine(trial);
        };

        var clock = Stopwatch.StartNew();
        TrialResult best = await experiment.RunAsync();
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"{reported.Count} trials in {seconds:F1} s; the last ended at {reported.Sum(t => t.Duration.TotalSeconds):F1} s of trial time; best: {best}");

        Assert.IsTrue(seconds >= 0.85 * Budget && seconds <= 1.15 * Budget, $"the budget of {Budget} s is kept: {seconds:F1} s");
        CollectionAssert.AreEqual(experiment.Trials.ToArray(), reported.ToArray(), "every trial is reported as it ends");
        TrialResult[] succeeded = [.. reported.Where(t => t.Succeeded)];
        Assert.IsGreaterThanOrEqualTo(4, succeeded.Select(t => t.ToString().Split(':')[0]).Distinct().Count(), "several configurations tried");
        CollectionAssert.AreEquivalent(
            new[] { "AttentionEncode+LbfgsMaximumEntropy", "HierarchicalAttention", "FeaturizeText+SdcaMaximumEntropy" },
            reported.Select(t => t.Candidate).Distinct().ToArray(), "every candidate tried, the ML.NET baseline among them");
        foreach (TrialResult t in succeeded)
        {
            Assert.IsTrue(t.Metric is >= 0 and <= 1, t.ToString());
            Assert.IsGreaterThan(0, t.Parameters.Count, t.ToString());
            Assert.IsGreaterThan(TimeSpan.Zero, t.Duration);
            Assert.IsGreaterThan(10.0, t.PeakMemoryInMegaBytes, "the working set of a .NET process running ML.NET");
            Assert.AreEqual(ReferenceEquals(t, best), t.Model is not null, $"only the best keeps its model: {t}");
        }

        Assert.AreEqual(succeeded.Max(t => t.Metric), best.Metric);
        foreach (TrialResult t in reported.Where(t => !t.Succeeded))
        {
            Assert.IsInstanceOfType<OperationCanceledException>(t.Error, $"only the trial the budget cut short fails: {t}");
            Assert.AreSame(reported[^1], t);
        }

        // The defaults, as a user who does not sweep would write them, on the same split.
        var defaults = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.AttentionEncode("Embedding", "Text", maximumLength: 32))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Embedding"))
            .Fit(split.TrainSet);
        double byDefault = ml.MulticlassClassification.Evaluate(defaults.Transform(split.TestSet)).MacroAccuracy;
        Console.WriteLine($"defaults: {byDefault:F4}");
        Assert.IsGreaterThan(byDefault, best.Metric, $"the sweep's best {best.Metric:F4} beats the defaults' {byDefault:F4}");

        // The best model ends with the suffix: predicted labels are the label's values again.
        string[] predicted = [.. best.Model!.Transform(split.TestSet).GetColumn<string>("PredictedLabel")];
        CollectionAssert.IsSubsetOf(predicted.Distinct().ToArray(), new[] { "yes", "no" });
    }

    [TestMethod]
    public async Task WithoutSetSeed_TheContextsSeedDecides_SoTwoRunsTryTheSameParameters()
    {
        static async Task<string[]> Run(int contextSeed)
        {
            var ml = new MLContext(seed: contextSeed);
            IDataView data = ml.Data.LoadFromEnumerable(Votes(200, seed: 5));
            var pipeline = new SweepablePipeline([ml.AttentionAuto().FeaturizeTextSdca("Label", "Text")], prefix: m => m.Transforms.Conversion.MapValueToKey("Label"));
            AttentionExperiment experiment = ml.AttentionAuto().CreateExperiment()
                .SetPipeline(pipeline).SetDataset(data, validationFraction: 0.3).SetMulticlassClassificationMetric()
                .SetRandomSearchTuner().SetMaxModelToExplore(4).SetTrainingTimeInSeconds(120);
            await experiment.RunAsync();
            return [.. experiment.Trials.Select(t => string.Join(",", t.Parameters.Values.Select(v => SweepParameter.Format(v))) + $"={t.Metric:F6}")];
        }

        string[] first = await Run(7), again = await Run(7), other = await Run(8);
        Assert.HasCount(4, first, "SetMaxModelToExplore(4)");
        CollectionAssert.AreEqual(first, again, "the same context seed: the same split, parameters and metrics");
        CollectionAssert.AreNotEqual(first, other, "another context seed draws other parameters");
    }

    /// <summary>
    /// Texts of 16–28 words with six to fourteen votes ("good", "great", ... against "bad", "poor", ...) among filler;
    /// the label is the side with more votes (never a tie). Few rows (a few hundred): the defaults' epochs are too few
    /// for an encoder to learn to count from them, while a bag of words counts at once, so the settings and the candidate
    /// matter.
    /// </summary>
    private static List<Vote> Votes(int count, int seed)
    {
        string[] yes = ["good", "great", "fine", "nice", "superb"], no = ["bad", "poor", "awful", "weak", "dull"];
        string[] filler = ["the", "a", "film", "plot", "actor", "scene", "was", "and", "but", "it", "very", "quite", "story", "music", "end", "start", "long", "short", "then", "also"];
        var random = new Random(seed);
        var rows = new List<Vote>(count);
        while (rows.Count < count)
        {
            int votes = random.Next(6, 15), up = random.Next(votes + 1);
            if (2 * up == votes)
            {
                continue;
            }

            var words = Enumerable.Range(0, random.Next(16, 29) - votes).Select(_ => filler[random.Next(filler.Length)]).ToList();
            for (int v = 0; v < votes; v++)
            {
                words.Insert(random.Next(words.Count + 1), v < up ? yes[random.Next(yes.Length)] : no[random.Next(no.Length)]);
            }

            rows.Add(new Vote(string.Join(' ', words), 2 * up > votes ? "yes" : "no"));
        }

        return rows;
    }

    private sealed record Vote(string Text, string Label);
}
