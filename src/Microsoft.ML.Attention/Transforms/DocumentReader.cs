using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>A document text to the model's sentences of token ids, cut to the options' limits, refusing an empty document by row.</summary>
internal sealed class DocumentReader(HierarchicalAttentionOptions options, Vocabulary? vocabulary)
{
    /// <summary>The sentences of words of a text, cut to MaximumSentences × MaximumWords.</summary>
    internal List<string[]> Sentences(ReadOnlyMemory<char> text, long row)
    {
        List<string[]> sentences = DocumentTokenizer.Split(text.Span, options.LowerCase);
        if (sentences.Count == 0)
        {
            throw new InvalidOperationException(
                $"HierarchicalAttention: row {row} of column '{options.TextColumnName}' has no sentence with a word (the text is empty, or only punctuation and markup); every document needs at least one word.");
        }

        if (sentences.Count > options.MaximumSentences)
        {
            sentences.RemoveRange(options.MaximumSentences, sentences.Count - options.MaximumSentences);
        }

        for (int i = 0; i < sentences.Count; i++)
        {
            if (sentences[i].Length > options.MaximumWords)
            {
                sentences[i] = sentences[i][..options.MaximumWords];
            }
        }

        return sentences;
    }

    /// <summary>Token ids of a document's sentences.</summary>
    internal int[][] Encode(IReadOnlyList<string[]> sentences) => [.. sentences.Select(s => vocabulary!.Encode(s))];
}
