using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.PerformanceTests.Evals;

/// <summary>
/// <c>build/eval.sh time-steps</c>: the seeds' time-step task through
/// <c>mlContext.MulticlassClassification.Trainers.TimeStepAttention</c> (30,000 sequences of 20 standard-normal steps,
/// the 0/1 label written into step 10; LSTM 32 + softmax attention over its states, with or without the learned step scores), trained once per seed: held-out
/// accuracy, the mean attention weight at the deciding step and the largest elsewhere, and the training time.
/// </summary>
internal static class TimeStepsEval
{
    private const int Steps = 20, Deciding = 10;

    internal sealed class Row
    {
        [VectorType(Steps)]
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = "";
    }

    internal sealed class Prediction
    {
        public float[] StepWeights { get; set; } = [];
    }

    internal static int Run(int seeds, int epochs, RecurrentCell cell, float learningRate, float weightDecay, bool bidirectional, bool stepBias)
    {
        Row[] train = SeedTask(30_000, new Random(1)), test = SeedTask(2_000, new Random(2));
        Console.WriteLine($"TimeStepAttention on the seed task: {train.Length} training sequences of {Steps} steps, label at step {Deciding}, {test.Length} held out; {(bidirectional ? "bidirectional " : "")}{cell} 32, at most {epochs} epochs, learning rate {learningRate}, weight decay {weightDecay}, step scores {(stepBias ? "on" : "off")}, seeds 1..{seeds}");
        var weights = new List<double>();
        var accuracies = new List<double>();
        for (int seed = 1; seed <= seeds; seed++)
        {
            var mlContext = new MLContext(seed: 0);
            var options = new TimeStepAttentionOptions { Cell = cell, Epochs = epochs, LearningRate = learningRate, WeightDecay = weightDecay, Bidirectional = bidirectional, StepBias = stepBias, StepAttentionColumnName = "StepWeights", Seed = seed };
            var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
                .Append(mlContext.MulticlassClassification.Trainers.TimeStepAttention(options));
            var clock = Stopwatch.StartNew();
            var model = pipeline.Fit(mlContext.Data.LoadFromEnumerable(train));
            double seconds = clock.Elapsed.TotalSeconds;
            IDataView scored = model.Transform(mlContext.Data.LoadFromEnumerable(test));
            double accuracy = mlContext.MulticlassClassification.Evaluate(scored).MicroAccuracy;
            Prediction[] predictions = [.. mlContext.Data.CreateEnumerable<Prediction>(scored, reuseRowObject: false)];
            double[] mean = [.. Enumerable.Range(0, Steps).Select(t => predictions.Average(p => p.StepWeights[t]))];
            int elsewhere = Enumerable.Range(0, Steps).Where(t => t != Deciding).MaxBy(t => mean[t]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  seed {seed}: accuracy {accuracy:F4}, weight at step {Deciding} {mean[Deciding]:F3}, largest elsewhere {mean[elsewhere]:F3} (step {elsewhere}), {seconds:F1} s"));
            weights.Add(mean[Deciding]);
            accuracies.Add(accuracy);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT time_steps.accuracy_min {accuracies.Min():F4} fraction"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT time_steps.deciding_weight_min {weights.Min():F3} weight"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT time_steps.deciding_weight_mean {weights.Average():F3} weight"));
        return 0;
    }

    /// <summary>Standard-normal steps, the label (0 or 1) written into step 10 (the seeds' task, as the unit test draws it).</summary>
    private static Row[] SeedTask(int count, Random random) => [.. Enumerable.Range(0, count).Select(_ =>
    {
        float[] x = [.. Enumerable.Range(0, Steps).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())))];
        int y = random.Next(2);
        x[Deciding] = y;
        return new Row { Features = x, Label = y.ToString(CultureInfo.InvariantCulture) };
    })];
}
