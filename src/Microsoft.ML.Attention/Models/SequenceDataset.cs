namespace Microsoft.ML.Attention.Models;

/// <summary>Training sequences (token ids or float vectors) with their labels (class index or regression value).</summary>
public sealed class SequenceDataset
{
    private SequenceDataset(IReadOnlyList<int[]>? tokens, IReadOnlyList<float[]>? vectors, int stepSize, float[] labels)
    {
        Tokens = tokens;
        Vectors = vectors;
        StepSize = stepSize;
        Labels = labels;
    }

    /// <summary>Token sequences, or null.</summary>
    public IReadOnlyList<int[]>? Tokens { get; }

    /// <summary>Float vectors, or null.</summary>
    public IReadOnlyList<float[]>? Vectors { get; }

    /// <summary>Floats per step of a vector.</summary>
    public int StepSize { get; }

    /// <summary>Class indices (as floats) or regression targets.</summary>
    public float[] Labels { get; }

    /// <summary>Number of examples.</summary>
    public int Count => Labels.Length;

    /// <summary>Token sequences and labels.</summary>
    public static SequenceDataset FromTokens(IReadOnlyList<int[]> tokens, float[] labels) => new(tokens, null, 0, labels);

    /// <summary>Vectors read as steps of <paramref name="stepSize"/>, and labels.</summary>
    public static SequenceDataset FromVectors(IReadOnlyList<float[]> vectors, int stepSize, float[] labels) => new(null, vectors, stepSize, labels);

    /// <summary>The examples at <paramref name="indices"/> as one padded batch.</summary>
    public EncoderBatch Batch(ReadOnlySpan<int> indices)
    {
        if (Tokens is not null)
        {
            var list = new int[indices.Length][];
            for (int i = 0; i < indices.Length; i++)
            {
                list[i] = Tokens[indices[i]];
            }

            return EncoderBatch.FromTokens(list);
        }

        var vectors = new float[indices.Length][];
        for (int i = 0; i < indices.Length; i++)
        {
            vectors[i] = Vectors![indices[i]];
        }

        return EncoderBatch.FromVectors(vectors, StepSize);
    }
}
