using System.Diagnostics;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.PerformanceTests.Evals;

/// <summary>
/// <c>build/eval.sh fra-eng-pairs</c>: the co-attention text-pair classifier on ../shared/data/fra-eng (pairs of at most
/// 10 words a side): is the French the translation of the English, or another pair's French? Half the pairs of each
/// split are true, half shuffled; 5 % of the sentence pairs are held out. Accuracy beside a bag of words
/// (FeaturizeText over both texts + SDCA logistic regression) trained in the same run, and one true pair's co-attention
/// matrix as a PNG.
/// </summary>
internal static class FraEngPairsEval
{
    internal sealed class Pair
    {
        public string English { get; set; } = "";

        public string French { get; set; } = "";

        public bool Label { get; set; }

        public string Both { get; set; } = "";
    }

    internal static int Run(string dataDirectory, int epochs, int trainPairs)
    {
        string file = Path.Combine(dataDirectory, "fra.txt");
        (string English, string French)[] all = [.. File.ReadLines(file).Select(l => l.Split('\t')).Where(p => p.Length >= 2 && Words(p[0]) <= 10 && Words(p[1]) <= 10)
            .Select(p => (p[0], p[1])).Distinct()];
        var random = new Random(2026);
        random.Shuffle(all);
        int held = all.Length / 20;
        (string, string)[] test = all[..held], train = all[held..][..Math.Min(trainPairs, all.Length - held)];
        Pair[] trainRows = Label(train, random), testRows = Label(test, random);
        Console.WriteLine($"fra-eng pairs (≤ 10 words a side): {all.Length} sentence pairs; training on {trainRows.Length} rows, testing on {testRows.Length} (half true, half shuffled)");

        var mlContext = new MLContext(seed: 0);
        var clock = Stopwatch.StartNew();
        mlContext.Log += (_, e) =>
        {
            int at = e.Message.IndexOf("CoAttention: ", StringComparison.Ordinal);
            if (at >= 0)
            {
                Console.WriteLine($"[{clock.Elapsed.TotalMinutes:F2} min] {e.Message[at..]}");
            }
        };
        IDataView trainData = mlContext.Data.LoadFromEnumerable(trainRows), testData = mlContext.Data.LoadFromEnumerable(testRows);
        clock.Restart();
        CoAttentionTransformer model = mlContext.BinaryClassification.Trainers.CoAttention(new CoAttentionOptions
        {
            FirstColumnName = nameof(Pair.English), SecondColumnName = nameof(Pair.French), Epochs = epochs, MinimumWordCount = 2, Seed = 1,
        }).Fit(trainData);
        double minutes = clock.Elapsed.TotalMinutes;
        CalibratedBinaryClassificationMetrics metrics = mlContext.BinaryClassification.Evaluate(model.Transform(testData));
        clock.Restart();
        var bagOfWords = mlContext.Transforms.Text.FeaturizeText("Features", nameof(Pair.Both)).Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression());
        double baseline = mlContext.BinaryClassification.Evaluate(bagOfWords.Fit(trainData).Transform(testData)).Accuracy;
        double baselineMinutes = clock.Elapsed.TotalMinutes;

        (string english, string french) = test[0];
        CoAttentionScores shown = model.Score(english, french);
        string png = Path.Combine(Path.GetTempPath(), "fra-eng-coattention.png");
        File.WriteAllBytes(png, CoAttentionTransformer.RenderFirstToSecond(shown));
        Console.WriteLine($"co-attention of \"{english}\" → \"{french}\" (probability {shown.Probability:F3}): {png}");
        for (int i = 0; i < shown.FirstWords.Length; i++)
        {
            float[] row = shown.FirstToSecond[(i * shown.SecondWords.Length)..((i + 1) * shown.SecondWords.Length)];
            Console.WriteLine($"  {shown.FirstWords[i],-12} → {shown.SecondWords[Array.IndexOf(row, row.Max())]} ({row.Max():F2})");
        }

        Console.WriteLine($"RESULT fra_eng_pairs.coattention_accuracy {metrics.Accuracy:F4} fraction (AUC {metrics.AreaUnderRocCurve:F4})");
        Console.WriteLine($"RESULT fra_eng_pairs.bag_of_words_accuracy {baseline:F4} fraction ({baselineMinutes:F2} min)");
        Console.WriteLine($"RESULT fra_eng_pairs.train_minutes {minutes:F2} min");
        return 0;
    }

    private static int Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>Each sentence pair twice: as it is (true) and with another pair's French (false).</summary>
    private static Pair[] Label((string English, string French)[] pairs, Random random) => [.. pairs.SelectMany((p, i) =>
    {
        string other = pairs[(i + 1 + random.Next(pairs.Length - 1)) % pairs.Length].French;
        return new[]
        {
            new Pair { English = p.English, French = p.French, Label = true, Both = p.English + " " + p.French },
            new Pair { English = p.English, French = other, Label = false, Both = p.English + " " + other },
        };
    })];
}
