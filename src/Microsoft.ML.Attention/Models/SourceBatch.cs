using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>Source sequences of token ids padded to one length: ids [B·S] (padding 0), lengths and the padding mask.</summary>
public sealed class SourceBatch
{
    private SourceBatch(int[] tokens, int[] lengths, int steps)
    {
        Tokens = tokens;
        Lengths = lengths;
        Steps = steps;
    }

    /// <summary>Sequences in the batch.</summary>
    public int Batch => Lengths.Length;

    /// <summary>The longest sequence's length.</summary>
    public int Steps { get; }

    /// <summary>Token ids, row-major [B, S], padded with 0.</summary>
    public int[] Tokens { get; }

    /// <summary>Tokens of each sequence.</summary>
    public int[] Lengths { get; }

    /// <summary>[B, S]: 1 marks padding, 0 a real token.</summary>
    public Tensor Padding()
    {
        var mask = new float[Batch * Steps];
        for (int i = 0; i < Batch; i++)
        {
            mask.AsSpan(i * Steps + Lengths[i], Steps - Lengths[i]).Fill(1f);
        }

        return Tensor.FromArray(mask, Batch, Steps);
    }

    /// <summary>Sequences [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) as a batch of their own, padded to their longest.</summary>
    internal SourceBatch Rows(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, Batch);
        int[] lengths = Lengths.AsSpan(start, count).ToArray();
        int steps = lengths.Max();
        var tokens = new int[count * steps];
        for (int i = 0; i < count; i++)
        {
            Tokens.AsSpan((start + i) * Steps, lengths[i]).CopyTo(tokens.AsSpan(i * steps));
        }

        return new SourceBatch(tokens, lengths, steps);
    }

    /// <summary>Pads <paramref name="sequences"/> (each of at least one token) into a batch.</summary>
    /// <exception cref="ArgumentException">A sequence is empty.</exception>
    public static SourceBatch From(IReadOnlyList<int[]> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0)
        {
            throw new ArgumentException("A batch needs at least one sequence.", nameof(sequences));
        }

        int steps = 0;
        for (int i = 0; i < sequences.Count; i++)
        {
            if (sequences[i].Length == 0)
            {
                throw new ArgumentException($"Sequence {i} of the batch is empty; every source needs at least one token.", nameof(sequences));
            }

            steps = Math.Max(steps, sequences[i].Length);
        }

        var tokens = new int[sequences.Count * steps];
        var lengths = new int[sequences.Count];
        for (int i = 0; i < sequences.Count; i++)
        {
            sequences[i].CopyTo(tokens, i * steps);
            lengths[i] = sequences[i].Length;
        }

        return new SourceBatch(tokens, lengths, steps);
    }
}
