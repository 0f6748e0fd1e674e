using System.Diagnostics;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Transforms;

namespace Microsoft.ML.Attention.PerformanceTests.Evals;

/// <summary>
/// <c>build/eval.sh fra-eng</c>: English → French with <c>mlContext.Transforms.SequenceToSequence</c> (words,
/// lower-cased) on ../shared/data/fra-eng pairs of at most 10 words a side, 5 % held out: training time, corpus BLEU-4 of
/// greedy decoding on the held-out pairs, and one alignment as a PNG. It writes the split it used (train.tsv, test.tsv)
/// so that build/torch_seq2seq.py trains the same model on the same pairs for the same epochs.
/// </summary>
internal static class FraEngTranslationEval
{
    internal sealed class Pair
    {
        public string English { get; set; } = "";

        public string French { get; set; } = "";
    }

    /// <summary>The model both sides train (build/torch_seq2seq.py reads these numbers from its arguments).</summary>
    internal static SequenceToSequenceOptions Options(int epochs) => new()
    {
        SourceColumnName = nameof(Pair.English), TargetColumnName = nameof(Pair.French), OutputColumnName = "Prediction", Unit = TextUnit.Word, LowerCase = true,
        EmbeddingDimension = 128, HiddenSize = 128, AttentionDimension = 128, Dropout = 0.2f, Epochs = epochs, BatchSize = 64, LearningRate = 2e-3f,
        MinimumTokenCount = 2, MaximumVocabularySize = 8000, MaximumSourceLength = 24, MaximumTargetLength = 24, ValidationFraction = 0f, Seed = 1,
    };

    internal static int Run(string dataDirectory, int epochs, int trainPairs, string splitDirectory)
    {
        (string English, string French)[] all = [.. File.ReadLines(Path.Combine(dataDirectory, "fra.txt")).Select(l => l.Split('\t'))
            .Where(p => p.Length >= 2 && Words(p[0]) <= 10 && Words(p[1]) <= 10).Select(p => (p[0], p[1])).Distinct()];
        var random = new Random(2026);
        random.Shuffle(all);
        int held = all.Length / 20;
        (string English, string French)[] test = all[..held], train = all[held..][..Math.Min(trainPairs, all.Length - held)];
        Directory.CreateDirectory(splitDirectory);
        File.WriteAllLines(Path.Combine(splitDirectory, "train.tsv"), train.Select(p => $"{p.English}\t{p.French}"));
        File.WriteAllLines(Path.Combine(splitDirectory, "test.tsv"), test.Select(p => $"{p.English}\t{p.French}"));
        Console.WriteLine($"fra-eng (≤ 10 words a side): {all.Length} pairs; training on {train.Length}, BLEU on {test.Length} held out; split in {splitDirectory}");

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
        SequenceToSequenceOptions options = Options(epochs);
        clock.Restart();
        SequenceToSequenceTransformer model = mlContext.Transforms.SequenceToSequence(options)
            .Fit(mlContext.Data.LoadFromEnumerable(train.Select(p => new Pair { English = p.English, French = p.French })));
        double minutes = clock.Elapsed.TotalMinutes;
        clock.Restart();
        IReadOnlyList<SequenceToSequencePrediction> predictions = model.Predict([.. test.Select(p => p.English)]);
        double decodeSeconds = clock.Elapsed.TotalSeconds;
        string[][] references = [.. test.Select(p => SequenceTokenizer.Split(p.French, TextUnit.Word, lowerCase: true))];
        double bleu = Bleu.Corpus([.. predictions.Select(p => p.OutputTokens)], references);
        foreach ((SequenceToSequencePrediction p, (string english, string french)) in predictions.Zip(test).Take(5))
        {
            Console.WriteLine($"  {english} → {p.Text}   (reference: {french})");
        }

        string png = Path.Combine(Path.GetTempPath(), "fra-eng-alignment.png");
        predictions[0].SaveAlignment(png);
        Console.WriteLine($"alignment of \"{test[0].English}\": {png}");
        Console.WriteLine($"RESULT fra_eng.bleu.ours {100 * bleu:F2} BLEU ({epochs} epochs)");
        Console.WriteLine($"RESULT fra_eng.train_minutes.ours {minutes:F2} min");
        Console.WriteLine($"RESULT fra_eng.decode_seconds.ours {decodeSeconds:F2} s ({test.Length} sentences, greedy)");
        return 0;
    }

    private static int Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
}
