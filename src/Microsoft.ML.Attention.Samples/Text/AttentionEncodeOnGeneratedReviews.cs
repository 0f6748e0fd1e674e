using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Samples.Text;

/// <summary>
/// The main sample: <c>AttentionEncode</c> → a standard ML.NET trainer → <c>Evaluate</c>, on short product reviews
/// generated in code whose verdict is a word near the end ("... overall it was great"), with an opposite word earlier
/// as a decoy. Prints the metrics and, for a few reviews, the words the model attended to most.
/// </summary>
public static class AttentionEncodeOnGeneratedReviews
{
    private static readonly string[] Positive = ["great", "excellent", "wonderful", "superb"];
    private static readonly string[] Negative = ["terrible", "awful", "poor", "dreadful"];
    private static readonly string[] Filler =
    [
        "the", "delivery", "box", "arrived", "on", "time", "price", "was", "fair", "colour", "size", "as", "described",
        "my", "friend", "said", "battery", "screen", "we", "used", "it", "for", "a", "week", "and", "then", "again",
    ];

    public static int Run()
    {
        var ml = new MLContext(seed: 1);
        ml.Log += (_, e) =>
        {
            int at = e.Message.IndexOf("AttentionEncode: epoch", StringComparison.Ordinal);
            if (at >= 0)
            {
                Console.WriteLine("  " + e.Message[at..]);
            }
        };

        IDataView data = ml.Data.LoadFromEnumerable(Generate(3000, seed: 2));
        var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 3);
        var options = new AttentionEncodeOptions
        {
            OutputColumnName = "Embedding",
            InputColumnName = "Text",
            LabelColumnName = "LabelKey",
            ModelDimension = 32,
            Heads = 4,
            // One layer: the pooling weights then fall on the words themselves. After two layers every position already
            // carries its neighbours' information, so the weights spread to "it"/"was" beside the deciding word.
            Layers = 1,
            FeedForwardDimension = 64,
            Epochs = 8,
            LearningRate = 3e-3f,
            MaximumLength = 24,
            AttentionWeightsColumnName = "Attention",
            TokensColumnName = "Words",
        };

        Console.WriteLine("Training AttentionEncode → LbfgsMaximumEntropy on 2,400 generated reviews...");
        var pipeline = ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label")
            .Append(ml.Transforms.AttentionEncode(options))
            // L-BFGS passes over its data many times: cache the embeddings once instead of re-running the encoder per pass.
            .AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("LabelKey", "Embedding"))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedVerdict", "PredictedLabel"));
        var model = pipeline.Fit(split.TrainSet);

        IDataView scored = model.Transform(split.TestSet);
        var metrics = ml.MulticlassClassification.Evaluate(scored, labelColumnName: "LabelKey");
        Console.WriteLine($"Test set: macro accuracy {metrics.MacroAccuracy:F3}, micro accuracy {metrics.MicroAccuracy:F3}, log-loss {metrics.LogLoss:F3}");

        Console.WriteLine("What the model looked at (the three words with the highest attention):");
        foreach (Scored row in ml.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false).Take(5))
        {
            string top = string.Join(", ", row.Attention.Take(row.Words.Length).Select((w, i) => (w, i))
                .OrderByDescending(p => p.w).Take(3).Select(p => $"{row.Words[p.i]} ({p.w:F2})"));
            Console.WriteLine($"  \"{row.Text}\" → {row.PredictedVerdict} (true: {row.Label}); top: {top}");
        }

        // Save the whole chain (ML.NET's Model.Save cannot write the pack's transformer) and score with the loaded copy.
        string path = Path.Combine(Path.GetTempPath(), "attention-encode-reviews.zip");
        ml.Model.SaveWithAttention(model, split.TrainSet.Schema, path);
        ITransformer loaded = new MLContext().Model.LoadWithAttention(path, out _);
        var engine = ml.Model.CreatePredictionEngine<Review, Scored>(loaded);
        var review = new Review { Text = "the box was dented and the manual thin but overall it was great" };
        Scored prediction = engine.Predict(review);
        Console.WriteLine($"Saved to {path} ({new FileInfo(path).Length / 1024} KB); the loaded model says \"{review.Text}\" → {prediction.PredictedVerdict}");

        return metrics.MacroAccuracy > 0.5 ? 0 : 1;
    }

    internal static IEnumerable<Review> Generate(int count, int seed)
    {
        var random = new Random(seed);
        for (int n = 0; n < count; n++)
        {
            bool good = random.Next(2) == 0;
            var words = new List<string>();
            int before = random.Next(3, 8), after = random.Next(4, 9);
            for (int i = 0; i < before; i++)
            {
                words.Add(Filler[random.Next(Filler.Length)]);
            }

            words.Add(random.Next(2) == 0 ? Positive[random.Next(4)] : Negative[random.Next(4)]);
            for (int i = 0; i < after; i++)
            {
                words.Add(Filler[random.Next(Filler.Length)]);
            }

            words.AddRange(["overall", "it", "was", good ? Positive[random.Next(4)] : Negative[random.Next(4)]]);
            yield return new Review { Text = string.Join(' ', words), Label = good ? "positive" : "negative" };
        }
    }

    internal sealed class Review
    {
        public string Text { get; set; } = "";

        public string Label { get; set; } = "";
    }

    private sealed class Scored
    {
        public string Text { get; set; } = "";

        public string Label { get; set; } = "";

        public string PredictedVerdict { get; set; } = "";

        public float[] Attention { get; set; } = [];

        public string[] Words { get; set; } = [];
    }
}
