using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// A transformer encoder with attention pooling: tokens (embedding) or float steps (linear projection), learned
/// positions, pre-norm encoder layers with a final norm, attention pooling with a learned context vector into one
/// vector, and a linear head (class logits or a regression value) used only in training.
/// </summary>
public sealed class AttentionEncoderModel : Module
{
    /// <summary>
    /// Builds the model that <paramref name="options"/> describe (its width, heads, layers, feed-forward width, dropout,
    /// maximum length and step size) with initialization drawn from <paramref name="random"/>.
    /// </summary>
    /// <param name="options">The options, validated; the model keeps a copy.</param>
    /// <param name="vocabularySize">Token ids 0…vocabularySize−1 (0 = padding, 1 = unknown) for text input; 0 for vector input.</param>
    /// <param name="outputs">Head outputs: the number of classes, or 1 for regression.</param>
    /// <param name="random">The generator every initial weight and dropout mask is drawn from.</param>
    public AttentionEncoderModel(AttentionEncodeOptions options, int vocabularySize, int outputs, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        options.Validate();
        if (options.IsTextInput ? vocabularySize <= 2 : vocabularySize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(vocabularySize), $"vocabularySize ({vocabularySize}) must exceed 2 for text input and be 0 for vector input (StepSize = {options.StepSize}).");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        _options = options.Clone();
        _options.CheckpointDirectory = null; // where one run was checkpointed is not part of the model
        _options.ResumeFromCheckpoint = false;
        VocabularySize = vocabularySize;
        Outputs = outputs;
        int d = options.ModelDimension;
        if (options.IsTextInput)
        {
            TokenEmbedding = RegisterModule("embedding", new Embedding(vocabularySize, d, paddingIndex: 0, random: random));
        }
        else
        {
            StepProjection = RegisterModule("input_proj", new Linear(options.StepSize, d, random: random));
        }

        Positions = RegisterModule("positions", new LearnedPositionalEncoding(options.MaximumLength, d, random));
        Encoder = RegisterModule("encoder", new TransformerEncoder(
            options.Layers,
            _ => new TransformerEncoderLayer(d, options.Heads, options.FeedForwardDimension, options.Dropout, ActivationKind.Gelu, normFirst: true, random: random),
            new LayerNorm(d)));
        Pooling = RegisterModule("pool", new AttentionPooling(d, d, random));
        Head = RegisterModule("head", new Linear(d, outputs, random: random));
    }

    private readonly AttentionEncodeOptions _options;

    /// <summary>The options the model was built from (a fresh copy on every read).</summary>
    public AttentionEncodeOptions Options => _options.Clone();

    /// <summary>Token ids the embedding knows (text input), or 0 (vector input).</summary>
    public int VocabularySize { get; }

    /// <summary>Head outputs: the number of classes, or 1 for regression.</summary>
    public int Outputs { get; }

    /// <summary>The embedding's size.</summary>
    public int EmbeddingSize => _options.ModelDimension;

    /// <summary>Token embedding (token input), or null.</summary>
    public Embedding? TokenEmbedding { get; }

    /// <summary>Step projection (vector input), or null.</summary>
    public Linear? StepProjection { get; }

    /// <summary>Learned positions.</summary>
    public LearnedPositionalEncoding Positions { get; }

    /// <summary>The encoder stack.</summary>
    public TransformerEncoder Encoder { get; }

    /// <summary>Attention pooling.</summary>
    public AttentionPooling Pooling { get; }

    /// <summary>The training head.</summary>
    public Linear Head { get; }

    /// <summary>The pooled embedding [B, d] and the pooling weights [B, T] (0 on padding).</summary>
    public AttentionResult Encode(EncoderBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Tensor x = batch.Tokens is not null
            ? TokenEmbedding!.Forward((batch.Tokens, [batch.Batch, batch.Length]))
            : StepProjection!.Forward(batch.Steps!);
        x = Positions.Forward(x);
        bool anyPadding = batch.PaddingMask.AsSpan().ContainsAnyExcept(0f);
        Tensor? padding = anyPadding ? batch.PaddingMask : null;
        Tensor encoded = Encoder.Forward(x, padding).Output;
        return Pooling.Forward(encoded, padding);
    }

    /// <summary>Head outputs [B, Outputs] for a pooled embedding.</summary>
    public Tensor Predict(Tensor pooled) => Head.Forward(pooled);
}
