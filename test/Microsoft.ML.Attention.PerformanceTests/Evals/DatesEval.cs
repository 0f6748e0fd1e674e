using System.Diagnostics;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Samples.Text;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.PerformanceTests.Evals;

/// <summary>
/// <c>build/eval.sh dates</c>: human-written dates → ISO through <c>mlContext.Transforms.SequenceToSequence</c>
/// (characters): 20,000 generated training pairs, 2,000 held-out dates never seen written that way; training time and
/// exact match, with a few misses shown.
/// </summary>
internal static class DatesEval
{
    internal sealed class Pair
    {
        public string Written { get; set; } = "";

        public string Iso { get; set; } = "";
    }

    internal static SequenceToSequenceOptions Options(int epochs, DecoderAttentionKind attention) => new()
    {
        SourceColumnName = nameof(Pair.Written), TargetColumnName = nameof(Pair.Iso), OutputColumnName = "Prediction",
        Attention = attention, InputFeeding = attention != DecoderAttentionKind.Additive, Epochs = epochs, Seed = 1,
        EmbeddingDimension = 32, HiddenSize = 64, AttentionDimension = 64, MaximumSourceLength = 40, MaximumTargetLength = 12,
    };

    internal static int Run(int epochs, DecoderAttentionKind attention)
    {
        ((string Written, string Iso)[] train, (string Written, string Iso)[] test) = HumanDates.Split(20_000, 2_000, new Random(2026));
        var mlContext = new MLContext(seed: 0);
        var clock = Stopwatch.StartNew();
        mlContext.Log += (_, e) =>
        {
            int at = e.Message.IndexOf("SequenceToSequence: ", StringComparison.Ordinal);
            if (at >= 0)
            {
                Console.WriteLine($"[{clock.Elapsed.TotalMinutes:F2} min] {e.Message[at..]}");
            }
        };

        SequenceToSequenceOptions options = Options(epochs, attention);
        Console.WriteLine($"SequenceToSequence on dates: {train.Length} training pairs, {test.Length} held out; {attention}, embedding {options.EmbeddingDimension}, hidden {options.HiddenSize}, {epochs} epochs");
        clock.Restart();
        SequenceToSequenceTransformer model = mlContext.Transforms.SequenceToSequence(options)
            .Fit(mlContext.Data.LoadFromEnumerable(train.Select(p => new Pair { Written = p.Written, Iso = p.Iso })));
        double minutes = clock.Elapsed.TotalMinutes;
        clock.Restart();
        string[] predicted = [.. model.Transform(mlContext.Data.LoadFromEnumerable(test.Select(p => new Pair { Written = p.Written })))
            .GetColumn<string>("Prediction")];
        double scoring = clock.Elapsed.TotalSeconds;
        int exact = predicted.Zip(test).Count(p => p.First == p.Second.Iso);
        foreach ((string got, (string written, string iso)) in predicted.Zip(test).Where(p => p.First != p.Second.Iso).Take(10))
        {
            Console.WriteLine($"  miss: '{written}' → '{got}' (expected {iso})");
        }

        Console.WriteLine($"RESULT dates.exact_match {(double)exact / test.Length:F4} fraction ({exact}/{test.Length})");
        Console.WriteLine($"RESULT dates.train_minutes {minutes:F2} min");
        Console.WriteLine($"RESULT dates.score_seconds {scoring:F2} s ({test.Length} rows through Transform)");
        return 0;
    }
}
