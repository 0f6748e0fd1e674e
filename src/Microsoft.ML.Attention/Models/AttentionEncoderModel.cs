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
    /// <summary>Builds the model with initialization drawn from <paramref name="random"/>.</summary>
    public AttentionEncoderModel(AttentionEncoderConfig config, Random random)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(random);
        Config = config;
        int d = config.ModelDim;
        if (config.IsTokenInput)
        {
            TokenEmbedding = RegisterModule("embedding", new Embedding(config.VocabularySize, d, paddingIndex: 0, random: random));
        }
        else
        {
            StepProjection = RegisterModule("input_proj", new Linear(config.StepSize, d, random: random));
        }

        Positions = RegisterModule("positions", new LearnedPositionalEncoding(config.MaxLength, d, random));
        Encoder = RegisterModule("encoder", new TransformerEncoder(
            config.Layers,
            _ => new TransformerEncoderLayer(d, config.Heads, config.FeedForwardDim, config.Dropout, ActivationKind.Gelu, normFirst: true, random: random),
            new LayerNorm(d)));
        Pooling = RegisterModule("pool", new AttentionPooling(d, d, random));
        Head = RegisterModule("head", new Linear(d, config.Outputs, random: random));
    }

    /// <summary>The architecture.</summary>
    public AttentionEncoderConfig Config { get; }

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
