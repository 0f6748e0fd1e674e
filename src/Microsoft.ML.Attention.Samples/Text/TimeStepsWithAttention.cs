using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Samples.Text;

/// <summary>
/// <c>mlContext.Regression.Trainers.TimeStepAttention</c> on sequences generated in code: 20 random steps, and the label
/// is three times the value at step 4. Prints R² and the mean attention weight of every step.
/// </summary>
public static class TimeStepsWithAttention
{
    private const int Steps = 20;

    public sealed class Row
    {
        [VectorType(Steps)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    public sealed class Scored
    {
        public float[] StepWeights { get; set; } = [];
    }

    public static int Run()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Generate(8000, seed: 2)), test = ml.Data.LoadFromEnumerable(Generate(500, seed: 3));
        Console.WriteLine("Training TimeStepAttention (LSTM 32 + attention over 20 steps) on 8,000 generated sequences (label = 3 × step 4)...");
        var model = ml.Regression.Trainers.TimeStepAttention(new TimeStepAttentionOptions { Epochs = 6, StepAttentionColumnName = "StepWeights", Seed = 4 }).Fit(train);
        IDataView scored = model.Transform(test);
        RegressionMetrics metrics = ml.Regression.Evaluate(scored);
        Console.WriteLine($"Test set: R² {metrics.RSquared:F4}, RMSE {metrics.RootMeanSquaredError:F4}");
        Scored[] rows = [.. ml.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false)];
        Console.WriteLine("Mean attention weight per step:");
        for (int t = 0; t < Steps; t++)
        {
            double w = rows.Average(r => r.StepWeights[t]);
            Console.WriteLine($"  step {t,2}: {w:F3} {new string('█', (int)Math.Round(w * 40))}");
        }

        return metrics.RSquared > 0.5 ? 0 : 1;
    }

    private static IEnumerable<Row> Generate(int count, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            float[] x = [.. Enumerable.Range(0, Steps).Select(_ => (float)(random.NextDouble() * 2 - 1))];
            yield return new Row { Features = x, Label = 3 * x[4] };
        }
    }
}
