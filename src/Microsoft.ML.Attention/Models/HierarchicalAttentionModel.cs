using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// A hierarchical attention network (Yang et al., 2016): word embeddings, a bidirectional recurrent word encoder over
/// each sentence, word attention pooling with a learned context vector into sentence vectors, a bidirectional
/// sentence encoder, sentence attention pooling into a document vector, and a linear classifier; dropout on the
/// embeddings, the sentence vectors and the document vector. Parameter names: <c>embedding</c>, <c>word_encoder</c>,
/// <c>word_attention</c>, <c>sentence_encoder</c>, <c>sentence_attention</c>, <c>head</c>.
/// </summary>
public sealed class HierarchicalAttentionModel : Module
{
    private readonly HierarchicalAttentionOptions _options;
    private readonly Random _random;

    /// <summary>Builds the model <paramref name="options"/> describe, initialized from <paramref name="random"/>.</summary>
    /// <param name="options">The options, validated; the model keeps a copy.</param>
    /// <param name="vocabularySize">Token ids 0…vocabularySize−1 (0 = padding, 1 = unknown).</param>
    /// <param name="classes">Classes of the head (2 or more).</param>
    /// <param name="random">The generator of every initial weight and dropout mask.</param>
    public HierarchicalAttentionModel(HierarchicalAttentionOptions options, int vocabularySize, int classes, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        options.Validate();
        if (vocabularySize <= 2)
        {
            throw new ArgumentOutOfRangeException(nameof(vocabularySize), $"vocabularySize ({vocabularySize}) must exceed 2 (padding and unknown markers).");
        }

        if (classes < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), $"classes ({classes}) must be at least 2.");
        }

        _options = options.Clone();
        _random = random;
        _options.CheckpointDirectory = null; // where one run was checkpointed is not part of the model
        _options.ResumeFromCheckpoint = false;
        VocabularySize = vocabularySize;
        Classes = classes;
        int e = options.EmbeddingDimension, h = options.HiddenSize, a = options.AttentionDimension;
        Embedding = RegisterModule("embedding", new Embedding(vocabularySize, e, paddingIndex: Vocabulary.Padding, random: random));
        WordEncoder = RegisterModule("word_encoder", Recurrent(options.Cell, e, h, random));
        WordAttention = RegisterModule("word_attention", new AttentionPooling(2 * h, a, random));
        SentenceEncoder = RegisterModule("sentence_encoder", Recurrent(options.Cell, 2 * h, h, random));
        SentenceAttention = RegisterModule("sentence_attention", new AttentionPooling(2 * h, a, random));
        Dropout = RegisterModule("dropout", new Dropout(options.Dropout, random));
        Head = RegisterModule("head", new Linear(2 * h, classes, random: random));
    }

    /// <summary>The options the model was built from (a fresh copy on every read).</summary>
    public HierarchicalAttentionOptions Options => _options.Clone();

    /// <summary>Token ids the embedding knows.</summary>
    public int VocabularySize { get; }

    /// <summary>Classes of the head.</summary>
    public int Classes { get; }

    /// <summary>Word embeddings (row 0, padding, stays zero).</summary>
    public Embedding Embedding { get; }

    /// <summary>The bidirectional word encoder, run over every sentence.</summary>
    public RecurrentLayer WordEncoder { get; }

    /// <summary>Word attention pooling.</summary>
    public AttentionPooling WordAttention { get; }

    /// <summary>The bidirectional sentence encoder.</summary>
    public RecurrentLayer SentenceEncoder { get; }

    /// <summary>Sentence attention pooling.</summary>
    public AttentionPooling SentenceAttention { get; }

    /// <summary>Dropout (training only).</summary>
    public Dropout Dropout { get; }

    /// <summary>The classifier.</summary>
    public Linear Head { get; }

    /// <summary>Class scores and both levels of attention for <paramref name="batch"/>.</summary>
    public HierarchicalAttentionResult Forward(DocumentBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int b = batch.Batch, s = batch.Sentences, w = batch.Words, d = 2 * _options.HiddenSize;

        // Padding sentences run through the word encoder as one padding word; their word weights are all zero.
        int[] lengths = [.. batch.WordLengths.Select(n => Math.Max(1, n))];
        Tensor words = Dropout.Forward(Embedding.Forward((DropWords(batch.Tokens), [b * s, w])));
        Tensor encodedWords = WordEncoder.Forward(words, lengths).Output;
        AttentionResult wordLevel = WordAttention.Forward(encodedWords, batch.WordPadding);
        Tensor sentences = Dropout.Forward(wordLevel.Output.Reshape(b, s, d));
        Tensor encodedSentences = SentenceEncoder.Forward(sentences, batch.SentenceCounts).Output;
        AttentionResult sentenceLevel = SentenceAttention.Forward(encodedSentences, batch.SentencePadding);
        Tensor document = Dropout.Forward(sentenceLevel.Output);
        return new HierarchicalAttentionResult(Head.Forward(document), sentenceLevel.Output, wordLevel.Weights!.Reshape(b, s, w), sentenceLevel.Weights!);
    }

    /// <summary>In training with <see cref="HierarchicalAttentionOptions.WordDropout"/>, a copy of <paramref name="tokens"/> with each word replaced by the unknown marker at that rate (padding kept); otherwise the tokens themselves.</summary>
    internal int[] DropWords(int[] tokens)
    {
        float p = _options.WordDropout;
        if (!IsTraining || p <= 0)
        {
            return tokens;
        }

        int[] dropped = (int[])tokens.Clone();
        for (int i = 0; i < dropped.Length; i++)
        {
            if (dropped[i] != Vocabulary.Padding && _random.NextSingle() < p)
            {
                dropped[i] = Vocabulary.Unknown;
            }
        }

        return dropped;
    }

    private static RecurrentLayer Recurrent(RecurrentCell cell, int input, int hidden, Random random) => cell == RecurrentCell.Lstm
        ? new Lstm(input, hidden, bidirectional: true, random: random)
        : new Gru(input, hidden, bidirectional: true, random: random);
}
