namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Source–target pairs for teacher forcing: the sources padded, the decoder's inputs (start marker, then the target)
/// and the tokens it must predict (the target, then the end marker), both [B, T] with T = longest target + 1.
/// </summary>
public sealed class SequencePairBatch
{
    /// <summary>The id in <see cref="TargetOutput"/> of a padded step (the loss ignores it).</summary>
    public const int Ignored = -100;

    private SequencePairBatch(SourceBatch source, int[] input, int[] output, int[] lengths, int steps)
    {
        Source = source;
        TargetInput = input;
        TargetOutput = output;
        TargetLengths = lengths;
        TargetSteps = steps;
    }

    /// <summary>The padded sources.</summary>
    public SourceBatch Source { get; }

    /// <summary>Pairs in the batch.</summary>
    public int Batch => TargetLengths.Length;

    /// <summary>Decoder steps: the longest target + 1.</summary>
    public int TargetSteps { get; }

    /// <summary>[B, T] decoder inputs: the start marker, then the target; padding 0.</summary>
    public int[] TargetInput { get; }

    /// <summary>[B, T] tokens to predict: the target, then the end marker; padding <see cref="Ignored"/>.</summary>
    public int[] TargetOutput { get; }

    /// <summary>Decoder steps of each pair (target length + 1).</summary>
    public int[] TargetLengths { get; }

    /// <summary>Pads <paramref name="sources"/> and <paramref name="targets"/> (target ids without markers) into a batch.</summary>
    public static SequencePairBatch From(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        SourceBatch source = SourceBatch.From(sources);
        if (targets.Count != sources.Count)
        {
            throw new ArgumentException($"{sources.Count} sources but {targets.Count} targets.", nameof(targets));
        }

        int steps = targets.Max(t => t.Length) + 1;
        var input = new int[targets.Count * steps];
        var output = new int[targets.Count * steps];
        Array.Fill(output, Ignored);
        var lengths = new int[targets.Count];
        for (int i = 0; i < targets.Count; i++)
        {
            int[] t = targets[i];
            input[i * steps] = SequenceToSequenceModel.Start;
            t.CopyTo(input, i * steps + 1);
            t.CopyTo(output, i * steps);
            output[i * steps + t.Length] = SequenceToSequenceModel.End;
            lengths[i] = t.Length + 1;
        }

        return new SequencePairBatch(source, input, output, lengths, steps);
    }
}
