using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Samples.Text;

/// <summary>
/// <c>mlContext.BinaryClassification.Trainers.CoAttention</c> on text pairs generated in code from a made-up
/// two-language dictionary: is the second text the word-by-word translation of the first, or another text's? Prints
/// the accuracy beside a bag of words and one true pair's co-attention matrix.
/// </summary>
public static class TextPairsWithCoAttention
{
    private const int Words = 30;

    public sealed class Pair
    {
        public string First { get; set; } = "";

        public string Second { get; set; } = "";

        public bool Label { get; set; }

        public string Both { get; set; } = "";
    }

    public static int Run()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Generate(4000, seed: 2)), test = ml.Data.LoadFromEnumerable(Generate(400, seed: 3));
        Console.WriteLine("Training CoAttention on 4,000 generated text pairs (true translations vs another text's)...");
        CoAttentionTransformer model = ml.BinaryClassification.Trainers.CoAttention(new CoAttentionOptions
        {
            EmbeddingDimension = 16, HiddenSize = 16, AttentionDimension = 16, Epochs = 14, LearningRate = 5e-3f, Seed = 4,
        }).Fit(train);
        double accuracy = ml.BinaryClassification.Evaluate(model.Transform(test)).Accuracy;
        var bagOfWords = ml.Transforms.Text.FeaturizeText("Features", "Both").Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression());
        double baseline = ml.BinaryClassification.Evaluate(bagOfWords.Fit(train).Transform(test)).Accuracy;
        Console.WriteLine($"Test set: co-attention accuracy {accuracy:F3}; bag of words {baseline:F3}");

        CoAttentionScores shown = model.Score("a3 a17 a8 a21", string.Join(' ', new[] { "a3", "a17", "a8", "a21" }.Select(Translate)));
        Console.WriteLine($"Co-attention of \"a3 a17 a8 a21\" → \"{string.Join(' ', shown.SecondWords)}\" (probability {shown.Probability:F3}; each row: weights over the second text):");
        for (int i = 0; i < shown.FirstWords.Length; i++)
        {
            int m = shown.SecondWords.Length;
            Console.WriteLine($"  {shown.FirstWords[i],-4} " + string.Join(" ", shown.FirstToSecond[(i * m)..((i + 1) * m)].Select(w => w.ToString("F2"))) + $"   (translation: {Translate(shown.FirstWords[i])})");
        }

        return accuracy > baseline ? 0 : 1;
    }

    private static string Translate(string word) => $"b{(int.Parse(word[1..], System.Globalization.CultureInfo.InvariantCulture) * 7 + 3) % Words}";

    private static IEnumerable<Pair> Generate(int count, int seed)
    {
        var random = new Random(seed);
        string[] Sentence() => [.. Enumerable.Range(0, random.Next(3, 8)).Select(_ => $"a{random.Next(Words)}")];
        for (int i = 0; i < count; i++)
        {
            string[] first = Sentence();
            bool label = random.Next(2) == 0;
            string[] second = label ? [.. first.Select(Translate)] : [.. Sentence().Select(Translate)];
            string a = string.Join(' ', first), b = string.Join(' ', second);
            yield return new Pair { First = a, Second = b, Label = label, Both = a + " " + b };
        }
    }
}
