using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Samples.Text;

/// <summary>
/// The hierarchical attention trainer on film reviews generated in code: several sentences each, two of them with a
/// verdict word, and the label is the verdict of the sentence that opens with "Overall" (the other verdict is random).
/// Prints the metrics and, for a few reviews, the sentence with the highest weight and the top words inside it.
/// </summary>
public static class HierarchicalAttentionOnGeneratedDocuments
{
    private static readonly string[] Filler =
        ["the", "plot", "was", "and", "then", "our", "cast", "moved", "slowly", "scene", "camera", "music", "later", "city", "night", "rain", "it", "felt"];

    private static readonly string[] Good = ["excellent", "wonderful", "superb"], Bad = ["terrible", "awful", "dreadful"];

    public static int Run()
    {
        var ml = new MLContext(seed: 1);
        ml.Log += (_, e) =>
        {
            int at = e.Message.IndexOf("HierarchicalAttention: epoch", StringComparison.Ordinal);
            if (at >= 0)
            {
                Console.WriteLine("  " + e.Message[at..]);
            }
        };

        IDataView data = ml.Data.LoadFromEnumerable(Generate(1500, seed: 2));
        var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 3);
        Console.WriteLine("Training HierarchicalAttention on 1,200 generated reviews...");
        var pipeline = ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label")
            .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(new HierarchicalAttentionOptions
            {
                LabelColumnName = "LabelKey",
                EmbeddingDimension = 24, HiddenSize = 24, AttentionDimension = 24, Dropout = 0.1f, Epochs = 12, BatchSize = 32,
                LearningRate = 5e-3f, MinimumWordCount = 2, EarlyStoppingPatience = 3,
                SentenceAttentionColumnName = "SentenceAttention", SentencesColumnName = "Sentences",
                WordAttentionColumnName = "WordAttention", WordsColumnName = "Words",
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        ITransformer model = pipeline.Fit(split.TrainSet);
        IDataView scored = model.Transform(split.TestSet);
        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(scored, labelColumnName: "LabelKey");
        Console.WriteLine($"Test set: macro accuracy {metrics.MacroAccuracy:F3}, log-loss {metrics.LogLoss:F3}");

        Console.WriteLine("What the model read (the sentence with the highest weight, and its top words):");
        foreach (Scored row in ml.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false).Take(4))
        {
            int top = Array.IndexOf(row.SentenceAttention, row.SentenceAttention.Max());
            int first = row.Sentences.Take(top).Sum(s => s.Split(' ').Length);
            string[] words = row.Sentences[top].Split(' ');
            string topWords = string.Join(", ", words.Select((w, i) => (w, Weight: row.WordAttention[first + i]))
                .OrderByDescending(p => p.Weight).Take(3).Select(p => $"{p.w} ({p.Weight:F2})"));
            Console.WriteLine($"  {row.PredictedLabel} (true: {row.Label}); sentence {top + 1} of {row.Sentences.Length} ({row.SentenceAttention[top]:F2}): \"{row.Sentences[top]}\"; words: {topWords}");
        }

        return metrics.MacroAccuracy > 0.5 ? 0 : 1;
    }

    private static IEnumerable<Review> Generate(int count, int seed)
    {
        var random = new Random(seed);
        for (int n = 0; n < count; n++)
        {
            bool positive = random.Next(2) == 0;
            int sentences = random.Next(4, 8), key = random.Next(sentences), other = (key + 1 + random.Next(sentences - 1)) % sentences;
            var text = new List<string>();
            for (int s = 0; s < sentences; s++)
            {
                var words = Enumerable.Range(0, random.Next(5, 9)).Select(_ => Filler[random.Next(Filler.Length)]).ToList();
                if (s == key)
                {
                    words.Insert(random.Next(2, words.Count), (positive ? Good : Bad)[random.Next(3)]);
                    words.Insert(0, "overall");
                }
                else if (s == other)
                {
                    words.Insert(random.Next(words.Count), (random.Next(2) == 0 ? Good : Bad)[random.Next(3)]);
                }

                string sentence = string.Join(' ', words);
                text.Add(char.ToUpperInvariant(sentence[0]) + sentence[1..] + ".");
            }

            yield return new Review { Label = positive ? "positive" : "negative", Text = string.Join(' ', text) };
        }
    }

    private sealed class Review
    {
        public string Label { get; set; } = "";

        public string Text { get; set; } = "";
    }

    private sealed class Scored
    {
        public string Label { get; set; } = "";

        public string PredictedLabel { get; set; } = "";

        public float[] SentenceAttention { get; set; } = [];

        public string[] Sentences { get; set; } = [];

        public float[] WordAttention { get; set; } = [];

        public string[] Words { get; set; } = [];
    }
}
