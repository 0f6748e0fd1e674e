using Microsoft.ML.Attention.Samples.Engine;
using Microsoft.ML.Attention.Samples.Text;
using Microsoft.ML.Attention.Samples.Vision;

namespace Microsoft.ML.Attention.Samples;

/// <summary>Runs the samples. With no argument, the main sample; <c>list</c> names them all.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string name = args.Length > 0 ? args[0] : "attention-encode";
        switch (name)
        {
            case "attention-encode":
                return AttentionEncodeOnGeneratedReviews.Run();
            case "han":
                return HierarchicalAttentionOnGeneratedDocuments.Run();
            case "dates":
                return DatesWithSequenceToSequence.Run();
            case "time-steps":
                return TimeStepsWithAttention.Run();
            case "pairs":
                return TextPairsWithCoAttention.Run();
            case "sweep":
                return SweepOnGeneratedReviews.Run();
            case "image":
                return ImageAttentionOnGeneratedImages.Run();
            case "engine":
                return CnnOnGeneratedImages.Run();
            case "list":
                Console.WriteLine("attention-encode  (default) AttentionEncode → LbfgsMaximumEntropy on generated reviews; metrics and the most-attended words");
                Console.WriteLine("han               HierarchicalAttention on generated reviews; metrics, the most-attended sentence and its top words");
                Console.WriteLine("dates             SequenceToSequence on generated dates (written → ISO); exact match, predictions, an alignment as text and PNG");
                Console.WriteLine("time-steps        TimeStepAttention (regression) on generated sequences; R² and the mean weight of every step");
                Console.WriteLine("pairs             CoAttention on generated text pairs (translation or not); accuracy beside a bag of words, one co-attention matrix");
                Console.WriteLine("sweep             a 30-second sweep (AttentionAuto) over the pack's text candidates and FeaturizeText + SDCA; the leaderboard and the best");
                Console.WriteLine("image             ImageAttention (CBAM) through LoadImages → ResizeImages → ExtractPixels on drawn pictures; metrics, where attention peaks, a heatmap PNG");
                Console.WriteLine("engine            train a small CNN with the pack's engine on images generated in code");
                return 0;
            default:
                Console.Error.WriteLine($"Unknown sample '{name}'. Run with 'list' to see the samples.");
                return 2;
        }
    }
}
