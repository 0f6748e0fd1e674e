using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// A transformer encoder block with PyTorch <c>nn.TransformerEncoderLayer</c> semantics and parameter names
/// (batch-first): self-attention and a feed-forward network, each with a residual connection and layer norm,
/// post-norm (the 2017 paper, PyTorch's default) or pre-norm. Unlike PyTorch's, it can return its attention weights.
/// </summary>
public sealed class TransformerEncoderLayer : Module
{
    /// <summary>Creates the block with PyTorch's initialization.</summary>
    /// <param name="dModel">Model width.</param>
    /// <param name="nHead">Attention heads; must divide <paramref name="dModel"/>.</param>
    /// <param name="dimFeedforward">Hidden width of the feed-forward network (PyTorch default 2048).</param>
    /// <param name="dropout">Dropout on the attention weights, after attention, inside and after the feed-forward network.</param>
    /// <param name="activation">Feed-forward activation: <see cref="ActivationKind.Relu"/> (default) or <see cref="ActivationKind.Gelu"/>.</param>
    /// <param name="layerNormEps">Layer-norm epsilon.</param>
    /// <param name="normFirst">Pre-norm (normalize before each sub-block) instead of post-norm.</param>
    /// <param name="random">Initialization and dropout generator; null takes <see cref="DefaultGenerator.Next"/>.</param>
    public TransformerEncoderLayer(int dModel, int nHead, int dimFeedforward = 2048, float dropout = 0.1f, ActivationKind activation = ActivationKind.Relu,
        float layerNormEps = 1e-5f, bool normFirst = false, Random? random = null)
    {
        random ??= DefaultGenerator.Next();
        SelfAttention = RegisterModule("self_attn", new MultiheadAttention(dModel, nHead, dropout, random: random));
        Linear1 = RegisterModule("linear1", new Linear(dModel, dimFeedforward, random: random));
        FeedForwardDropout = RegisterModule("dropout", new Dropout(dropout, random));
        Linear2 = RegisterModule("linear2", new Linear(dimFeedforward, dModel, random: random));
        Norm1 = RegisterModule("norm1", new LayerNorm(dModel, layerNormEps));
        Norm2 = RegisterModule("norm2", new LayerNorm(dModel, layerNormEps));
        Dropout1 = RegisterModule("dropout1", new Dropout(dropout, random));
        Dropout2 = RegisterModule("dropout2", new Dropout(dropout, random));
        ActivationFunction = activation;
        NormFirst = normFirst;
    }

    /// <summary>The self-attention sub-block.</summary>
    public MultiheadAttention SelfAttention { get; }

    /// <summary>First feed-forward projection.</summary>
    public Linear Linear1 { get; }

    /// <summary>Second feed-forward projection.</summary>
    public Linear Linear2 { get; }

    /// <summary>Layer norm of the attention sub-block.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>Layer norm of the feed-forward sub-block.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>The feed-forward activation.</summary>
    public ActivationKind ActivationFunction { get; }

    /// <summary>True for pre-norm.</summary>
    public bool NormFirst { get; }

    private Dropout FeedForwardDropout { get; }

    private Dropout Dropout1 { get; }

    private Dropout Dropout2 { get; }

    /// <summary>Encodes <paramref name="src"/> [B, L, dModel].</summary>
    /// <param name="src">The sequence.</param>
    /// <param name="keyPaddingMask">[B, L]; non-zero = padding, never attended.</param>
    /// <param name="blockMask">Broadcastable to [B, H, L, L]; non-zero = blocked.</param>
    /// <param name="causal">Position i sees only positions j ≤ i.</param>
    /// <param name="weights">Return this layer's attention weights (per head or averaged).</param>
    public AttentionResult Forward(Tensor src, Tensor? keyPaddingMask = null, Tensor? blockMask = null, bool causal = false, AttentionWeights weights = AttentionWeights.None)
    {
        ArgumentNullException.ThrowIfNull(src);
        Tensor x = src;
        AttentionResult attended;
        if (NormFirst)
        {
            attended = Attend(Norm1.Forward(x), keyPaddingMask, blockMask, causal, weights);
            x = x.Add(Dropout1.Forward(attended.Output));
            x = x.Add(FeedForward(Norm2.Forward(x)));
        }
        else
        {
            attended = Attend(x, keyPaddingMask, blockMask, causal, weights);
            x = Norm1.Forward(x.Add(Dropout1.Forward(attended.Output)));
            x = Norm2.Forward(x.Add(FeedForward(x)));
        }

        return new AttentionResult(x, attended.Weights);
    }

    private AttentionResult Attend(Tensor x, Tensor? keyPaddingMask, Tensor? blockMask, bool causal, AttentionWeights weights) =>
        SelfAttention.Forward(x, keyPaddingMask, needWeights: weights != AttentionWeights.None, blockMask: blockMask,
            averageAttnWeights: weights == AttentionWeights.Averaged, causal: causal);

    private Tensor FeedForward(Tensor x) =>
        Dropout2.Forward(Linear2.Forward(FeedForwardDropout.Forward(Activation.Apply(ActivationFunction, Linear1.Forward(x)))));
}
