using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// A text-pair classifier with co-attention: one embedding and one bidirectional GRU for both texts; a dot-product (or
/// bilinear) co-attention gives each word of either text a summary of the other; each side's [states; contexts; states ⊙ contexts]
/// is projected (ReLU) and pooled by attention; the head reads [p₁; p₂; |p₁ − p₂|; p₁ ⊙ p₂] (ReLU layer, then one logit).
/// Parameter names: <c>embedding</c>, <c>encoder</c>, <c>co_attention</c>, <c>compose</c>, <c>pooling</c>, <c>hidden</c>, <c>head</c>.
/// </summary>
public sealed class CoAttentionPairModel : Module
{
    private readonly CoAttentionOptions _options;

    /// <summary>Builds the model <paramref name="options"/> describe, initialized from <paramref name="random"/>.</summary>
    /// <param name="options">The options, validated; the model keeps a copy.</param>
    /// <param name="vocabularySize">Token ids (0 = padding, 1 = unknown).</param>
    /// <param name="random">The generator of every initial weight and dropout mask.</param>
    public CoAttentionPairModel(CoAttentionOptions options, int vocabularySize, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        options.Validate();
        if (vocabularySize <= 2)
        {
            throw new ArgumentOutOfRangeException(nameof(vocabularySize), $"vocabularySize ({vocabularySize}) must exceed 2 (padding and unknown markers).");
        }

        _options = options.Clone();
        _options.CheckpointDirectory = null; // where one run was checkpointed is not part of the model
        _options.ResumeFromCheckpoint = false;
        VocabularySize = vocabularySize;
        int e = options.EmbeddingDimension, h = options.HiddenSize, d = 2 * h;
        Embedding = RegisterModule("embedding", new Embedding(vocabularySize, e, paddingIndex: Vocabulary.Padding, random: random));
        Encoder = RegisterModule("encoder", new Gru(e, h, bidirectional: true, random: random));
        CoAttention = RegisterModule("co_attention", new CoAttention(d, bilinear: options.BilinearAffinity, random: random));
        Compose = RegisterModule("compose", new Linear(3 * d, d, random: random));
        Pooling = RegisterModule("pooling", new AttentionPooling(d, options.AttentionDimension, random));
        Hidden = RegisterModule("hidden", new Linear(4 * d, d, random: random));
        Head = RegisterModule("head", new Linear(d, 1, random: random));
        Dropout = RegisterModule("dropout", new Dropout(options.Dropout, random));
    }

    /// <summary>The options the model was built from (a fresh copy on every read).</summary>
    public CoAttentionOptions Options => _options.Clone();

    /// <summary>Token ids the embedding knows.</summary>
    public int VocabularySize { get; }

    /// <summary>Word embeddings, shared by both texts.</summary>
    public Embedding Embedding { get; }

    /// <summary>The bidirectional encoder, shared by both texts.</summary>
    public RecurrentLayer Encoder { get; }

    /// <summary>The co-attention between the two encoded texts.</summary>
    public CoAttention CoAttention { get; }

    /// <summary>[states; contexts; states ⊙ contexts] → width 2H.</summary>
    public Linear Compose { get; }

    /// <summary>Attention pooling of each side.</summary>
    public AttentionPooling Pooling { get; }

    /// <summary>The pair vector's hidden layer.</summary>
    public Linear Hidden { get; }

    /// <summary>The logit.</summary>
    public Linear Head { get; }

    /// <summary>Dropout (training only) on the embeddings and the pair vector.</summary>
    public Dropout Dropout { get; }

    /// <summary>Logits [B] and both co-attention matrices for the pairs (<paramref name="first"/>[i], <paramref name="second"/>[i]).</summary>
    public CoAttentionResult Forward(SourceBatch first, SourceBatch second, out Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Batch != second.Batch)
        {
            throw new ArgumentException($"{first.Batch} first texts but {second.Batch} second texts.", nameof(second));
        }

        Tensor firstPadding = first.Padding(), secondPadding = second.Padding();
        Tensor a = Encode(first), b = Encode(second);
        CoAttentionResult co = CoAttention.Forward(a, b, firstPadding, secondPadding);
        Tensor pa = Pool(a, co.ContextForFirst, firstPadding), pb = Pool(b, co.ContextForSecond, secondPadding);
        Tensor pair = Ops.Concat([pa, pb, pa.Sub(pb).Mul(pa.Sub(pb)).Add(1e-6f).Sqrt(), pa.Mul(pb)], 1);
        logits = Head.Forward(Dropout.Forward(Hidden.Forward(pair).Relu())).Reshape(first.Batch);
        return co;
    }

    private Tensor Encode(SourceBatch batch) =>
        Encoder.Forward(Dropout.Forward(Embedding.Forward((batch.Tokens, [batch.Batch, batch.Steps]))), batch.Lengths).Output;

    private Tensor Pool(Tensor states, Tensor contexts, Tensor padding) =>
        Pooling.Forward(Compose.Forward(Ops.Concat([states, contexts, states.Mul(contexts)], 2)).Relu(), padding).Output;
}
