using Microsoft.ML.Attention.AutoML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Samples.Text;

/// <summary>
/// A 30-second sweep (<c>mlContext.AttentionAuto()</c>) on the main sample's generated reviews, whose verdict is the
/// last word with an opposite decoy earlier: the pack's candidates and ML.NET's FeaturizeText + SDCA baseline, each
/// trial printed as it ends, then the best model on held-out reviews. The leaderboard shows whether attention pays.
/// </summary>
public static class SweepOnGeneratedReviews
{
    public static int Run()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(AttentionEncodeOnGeneratedReviews.Generate(3000, seed: 2));
        var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 3);
        AttentionExperiment experiment = ml.AttentionAuto().CreateExperiment()
            .SetPipeline(ml.AttentionAuto().TextClassification("Label", "Text", maximumWords: 32))
            .SetDataset(split.TrainSet, validationFraction: 0.2)
            .SetMulticlassClassificationMetric(SweepMetric.MacroAccuracy)
            .SetTrainingTimeInSeconds(30)
            .SetSeed(4);
        experiment.TrialCompleted += (_, trial) => Console.WriteLine("  " + trial);
        Console.WriteLine("Sweeping for 30 s (cost-frugal search from cheap settings; every candidate's first trial uses them):");
        TrialResult best = experiment.RunAsync().GetAwaiter().GetResult();

        Console.WriteLine();
        Console.WriteLine("Best per candidate (macro accuracy on the validation rows):");
        foreach (var group in experiment.Trials.Where(t => t.Succeeded).GroupBy(t => t.Candidate).OrderByDescending(g => g.Max(t => t.Metric)))
        {
            Console.WriteLine($"  {group.Key,-38} {group.Max(t => t.Metric):F4} over {group.Count()} trials");
        }

        var test = ml.MulticlassClassification.Evaluate(best.Model!.Transform(split.TestSet), labelColumnName: "Label");
        Console.WriteLine();
        Console.WriteLine($"Best: {best.Candidate}; on {split.TestSet.GetColumn<string>("Label").Count()} held-out reviews: macro accuracy {test.MacroAccuracy:F4}");
        return 0;
    }
}
