using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Samples.Text;

/// <summary>
/// <c>mlContext.Transforms.SequenceToSequence</c> on dates generated in code: written dates ("thursday, march 7, 2019",
/// "07.03.19", …) to ISO ("2019-03-07"), character by character with additive attention. Prints the exact match on
/// held-out dates, a few predictions, one alignment as text, and writes that alignment as a PNG.
/// </summary>
public static class DatesWithSequenceToSequence
{
    public sealed class Pair
    {
        public string Written { get; set; } = "";

        public string Iso { get; set; } = "";
    }

    public sealed class Output
    {
        public string Written { get; set; } = "";

        public string Iso { get; set; } = "";

        public string Prediction { get; set; } = "";
    }

    public static int Run()
    {
        var ml = new MLContext(seed: 1);
        ml.Log += (_, e) =>
        {
            int at = e.Message.IndexOf("SequenceToSequence: epoch", StringComparison.Ordinal);
            if (at >= 0)
            {
                Console.WriteLine("  " + e.Message[at..]);
            }
        };

        ((string Written, string Iso)[] train, (string Written, string Iso)[] test) = HumanDates.Split(10_000, 500, new Random(7));
        Console.WriteLine("Training SequenceToSequence on 10,000 generated dates (written → ISO, characters)...");
        SequenceToSequenceTransformer model = ml.Transforms.SequenceToSequence(new SequenceToSequenceOptions
        {
            SourceColumnName = "Written", TargetColumnName = "Iso", OutputColumnName = "Prediction",
            EmbeddingDimension = 32, HiddenSize = 64, AttentionDimension = 64, Epochs = 5, MaximumSourceLength = 40, MaximumTargetLength = 12, Seed = 2,
        }).Fit(ml.Data.LoadFromEnumerable(train.Select(p => new Pair { Written = p.Written, Iso = p.Iso })));

        Output[] outputs = [.. ml.Data.CreateEnumerable<Output>(model.Transform(ml.Data.LoadFromEnumerable(test.Select(p => new Pair { Written = p.Written, Iso = p.Iso }))), reuseRowObject: false)];
        int exact = outputs.Count(o => o.Prediction == o.Iso);
        Console.WriteLine($"Held-out dates (never seen written that way): {exact}/{outputs.Length} exact ({(double)exact / outputs.Length:P1})");
        foreach (Output o in outputs.Take(4))
        {
            Console.WriteLine($"  \"{o.Written}\" → {o.Prediction}{(o.Prediction == o.Iso ? "" : $" (expected {o.Iso})")}");
        }

        SequenceToSequencePrediction shown = model.Predict(["saturday, march 9, 2024"])[0];
        Console.WriteLine($"Alignment of \"saturday, march 9, 2024\" → {shown.Text} (rows: output characters; columns: source characters; darker = more weight):");
        Console.WriteLine("      " + string.Concat(shown.SourceTokens.Select(t => t == " " ? "·" : t)));
        for (int i = 0; i < shown.OutputTokens.Length; i++)
        {
            float max = shown.Alignment[i].Max();
            Console.WriteLine($"  {shown.OutputTokens[i]}   " + string.Concat(shown.Alignment[i].Select(w => w >= 0.5f * max ? '█' : w >= 0.2f * max ? '▒' : w >= 0.05f * max ? '░' : ' ')));
        }

        string path = Path.Combine(Path.GetTempPath(), "seq2seq-alignment.png");
        shown.SaveAlignment(path);
        Console.WriteLine($"Alignment heatmap: {path}");
        return exact > outputs.Length / 2 ? 0 : 1;
    }
}
