using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// A batch of sequences padded to one length: token ids [B·T] (row-major, 0 = padding) or float steps
/// [B, T, step], and the padding mask [B, T] (non-zero = padding).
/// </summary>
public sealed class EncoderBatch
{
    private EncoderBatch(int batch, int length, int[]? tokens, Tensor? steps, Tensor paddingMask)
    {
        Batch = batch;
        Length = length;
        Tokens = tokens;
        Steps = steps;
        PaddingMask = paddingMask;
    }

    /// <summary>Sequences in the batch.</summary>
    public int Batch { get; }

    /// <summary>Padded length.</summary>
    public int Length { get; }

    /// <summary>Token ids, or null for float steps.</summary>
    public int[]? Tokens { get; }

    /// <summary>Float steps, or null for tokens.</summary>
    public Tensor? Steps { get; }

    /// <summary>[B, T]; non-zero = padding.</summary>
    public Tensor PaddingMask { get; }

    /// <summary>Pads token sequences (each at least one token) to the longest.</summary>
    public static EncoderBatch FromTokens(IReadOnlyList<int[]> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        int length = Math.Max(1, sequences.Max(s => s.Length));
        int[] ids = new int[sequences.Count * length];
        Tensor mask = Tensor.Ones(sequences.Count, length);
        Span<float> ms = mask.AsSpan();
        for (int b = 0; b < sequences.Count; b++)
        {
            sequences[b].CopyTo(ids, b * length);
            ms.Slice(b * length, sequences[b].Length).Clear();
        }

        return new EncoderBatch(sequences.Count, length, ids, null, mask);
    }

    /// <summary>Vectors of equal size read as <paramref name="stepSize"/>-wide steps (no padding).</summary>
    public static EncoderBatch FromVectors(IReadOnlyList<float[]> vectors, int stepSize)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        int length = vectors[0].Length / stepSize;
        Tensor steps = Tensor.Empty([vectors.Count, length, stepSize]);
        Span<float> s = steps.AsSpan();
        for (int b = 0; b < vectors.Count; b++)
        {
            vectors[b].CopyTo(s.Slice(b * length * stepSize, length * stepSize));
        }

        return new EncoderBatch(vectors.Count, length, null, steps, Tensor.Zeros(vectors.Count, length));
    }
}
