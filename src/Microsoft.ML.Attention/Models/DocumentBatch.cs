using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Documents padded into one [B, S, W] block of token ids (S the most sentences, W the most words in the batch), with
/// the words of each sentence, the sentences of each document, and both padding masks (non-zero = padding).
/// </summary>
public sealed class DocumentBatch
{
    private DocumentBatch(int batch, int sentences, int words, int[] tokens, int[] wordLengths, int[] sentenceCounts)
    {
        Batch = batch;
        Sentences = sentences;
        Words = words;
        Tokens = tokens;
        WordLengths = wordLengths;
        SentenceCounts = sentenceCounts;
        WordPadding = Tensor.Zeros(batch * sentences, words);
        SentencePadding = Tensor.Zeros(batch, sentences);
        Span<float> wp = WordPadding.AsSpan(), sp = SentencePadding.AsSpan();
        for (int d = 0; d < batch; d++)
        {
            sp.Slice(d * sentences + sentenceCounts[d], sentences - sentenceCounts[d]).Fill(1f);
        }

        for (int s = 0; s < batch * sentences; s++)
        {
            wp.Slice(s * words + wordLengths[s], words - wordLengths[s]).Fill(1f);
        }
    }

    /// <summary>Documents B.</summary>
    public int Batch { get; }

    /// <summary>Sentences per document after padding, S.</summary>
    public int Sentences { get; }

    /// <summary>Words per sentence after padding, W.</summary>
    public int Words { get; }

    /// <summary>Token ids [B·S·W], 0 on padding.</summary>
    public int[] Tokens { get; }

    /// <summary>Words of each of the B·S sentences; 0 for a padding sentence.</summary>
    public int[] WordLengths { get; }

    /// <summary>Sentences of each document.</summary>
    public int[] SentenceCounts { get; }

    /// <summary>[B·S, W]: 1 on padded words (all of a padding sentence).</summary>
    public Tensor WordPadding { get; }

    /// <summary>[B, S]: 1 on padding sentences.</summary>
    public Tensor SentencePadding { get; }

    /// <summary>Pads <paramref name="documents"/> (each a list of sentences of token ids, at least one word each) into a batch.</summary>
    public static DocumentBatch From(IReadOnlyList<int[][]> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (documents.Count == 0)
        {
            throw new ArgumentException("A batch needs at least one document.", nameof(documents));
        }

        int b = documents.Count, s = 1, w = 1;
        for (int d = 0; d < b; d++)
        {
            if (documents[d].Length == 0 || documents[d].Any(sentence => sentence.Length == 0))
            {
                throw new ArgumentException($"Document {d} of the batch has no sentence, or an empty sentence.", nameof(documents));
            }

            s = Math.Max(s, documents[d].Length);
            w = Math.Max(w, documents[d].Max(sentence => sentence.Length));
        }

        int[] tokens = new int[b * s * w], wordLengths = new int[b * s], counts = new int[b];
        for (int d = 0; d < b; d++)
        {
            counts[d] = documents[d].Length;
            for (int k = 0; k < documents[d].Length; k++)
            {
                int[] sentence = documents[d][k];
                wordLengths[d * s + k] = sentence.Length;
                sentence.CopyTo(tokens, (d * s + k) * w);
            }
        }

        return new DocumentBatch(b, s, w, tokens, wordLengths, counts);
    }
}
