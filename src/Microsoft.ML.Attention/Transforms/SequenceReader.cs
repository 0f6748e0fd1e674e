using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>Turns one input value (text, or a float vector of steps) into the model's sequence, refusing bad rows by name.</summary>
internal sealed class SequenceReader(AttentionEncodeOptions options, Vocabulary? vocabulary)
{
    /// <summary>The words of a text, checked against the length rules.</summary>
    internal string[] Words(ReadOnlyMemory<char> text, long row)
    {
        string[] words = Vocabulary.Tokenize(text.Span);
        if (words.Length == 0)
        {
            throw new InvalidOperationException($"AttentionEncode: row {row} of column '{options.InputColumnName}' has no words (the text is empty or only punctuation); every row needs at least one word.");
        }

        if (words.Length > options.MaximumLength)
        {
            if (!options.TruncateLongText)
            {
                throw new InvalidOperationException($"AttentionEncode: row {row} of column '{options.InputColumnName}' has {words.Length} words, more than MaximumLength = {options.MaximumLength}. Raise MaximumLength or set TruncateLongText = true.");
            }

            words = words[..options.MaximumLength];
        }

        return words;
    }

    /// <summary>Token ids of a text.</summary>
    internal int[] Tokens(ReadOnlyMemory<char> text, long row, out string[] words)
    {
        words = Words(text, row);
        return vocabulary!.Encode(words);
    }

    /// <summary>A dense copy of a vector, checked to be a whole number of steps with finite values.</summary>
    internal float[] Steps(in VBuffer<float> value, long row)
    {
        float[] dense = [.. value.DenseValues()];
        if (dense.Length == 0 || dense.Length % options.StepSize != 0)
        {
            throw new InvalidOperationException($"AttentionEncode: row {row} of column '{options.InputColumnName}' has {dense.Length} values, not a positive multiple of StepSize = {options.StepSize}.");
        }

        int bad = FirstNonFinite(dense);
        if (bad >= 0)
        {
            throw new InvalidOperationException(
                $"AttentionEncode: row {row} of column '{options.InputColumnName}' holds {dense[bad]} at slot {bad} (step {bad / options.StepSize}); every value must be finite.");
        }

        return dense;
    }

    private static int FirstNonFinite(float[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
