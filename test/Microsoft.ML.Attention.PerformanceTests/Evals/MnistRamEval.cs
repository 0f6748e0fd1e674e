using System.Diagnostics;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.PerformanceTests.Evals;

/// <summary>
/// <c>build/eval.sh mnist-ram</c>: the recurrent attention classifier through the ML.NET API on MNIST (60k / 10k, the
/// IDX files in ../shared/data/mnist), 6 glimpses of one 8×8 patch as in the paper's MNIST table: training time and test
/// error, and the error on the first 10k training images (how far the model overfits).
/// </summary>
internal static class MnistRamEval
{
    internal static int Run(string dataDirectory, int epochs, int shift, bool randomStart, float locationStd)
    {
        FashionMnistEval.Image[] train = FashionMnistEval.Read(dataDirectory, "train"), test = FashionMnistEval.Read(dataDirectory, "t10k");
        var mlContext = new MLContext(seed: 0);
        var clock = Stopwatch.StartNew();
        mlContext.Log += (_, e) =>
        {
            int at = e.Message.IndexOf("RecurrentAttention: ", StringComparison.Ordinal);
            if (at >= 0)
            {
                Console.WriteLine($"[{clock.Elapsed.TotalMinutes:F1} min] {e.Message[at..]}");
            }
        };

        var options = new RecurrentAttentionOptions { Glimpses = 6, PatchSize = 8, Scales = 1, Epochs = epochs, RandomShift = shift, RandomStartLocation = randomStart, LocationStd = locationStd, Seed = 1 };
        Console.WriteLine($"RecurrentAttention on MNIST: {options.Glimpses} glimpses of {options.PatchSize}×{options.PatchSize}, {epochs} epochs, shifts up to {shift} px, first glimpse {(randomStart ? "anywhere" : "at the centre")} in training, location std {locationStd}");
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.MulticlassClassification.Trainers.RecurrentAttention(options));
        clock.Restart();
        ITransformer model = pipeline.Fit(mlContext.Data.LoadFromEnumerable(train));
        double minutes = clock.Elapsed.TotalMinutes;
        MulticlassClassificationMetrics metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(mlContext.Data.LoadFromEnumerable(test)));
        Console.WriteLine($"RESULT mnist.ram.test_error {1 - metrics.MicroAccuracy:F4} fraction");
        MulticlassClassificationMetrics seen = mlContext.MulticlassClassification.Evaluate(model.Transform(mlContext.Data.LoadFromEnumerable(train.Take(10_000))));
        Console.WriteLine($"RESULT mnist.ram.train_error_first_10k {1 - seen.MicroAccuracy:F4} fraction");
        Console.WriteLine($"RESULT mnist.ram.train_minutes {minutes:F2} min");
        return 0;
    }
}
