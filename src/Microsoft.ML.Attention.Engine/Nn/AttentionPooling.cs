using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// Attention pooling with a learned context vector (Yang et al., 2016): score_t = u·tanh(W h_t + b), α = softmax over
/// positions, output Σ α_t h_t. Parameters <c>proj.weight</c> [A, D], <c>proj.bias</c> [A], <c>context</c> [A]. Over a
/// fixed number of positions it can also learn a score per position, score_t = u·tanh(W h_t + b) + p_t (parameter
/// <c>position_bias</c> [T], zero at the start): attention that can learn where the informative positions are, as the
/// dense layer over the time axis of Keras' time-step attention does.
/// </summary>
public sealed class AttentionPooling : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="inputDim">Width D of the vectors pooled.</param>
    /// <param name="attentionDim">Width A of the hidden attention space.</param>
    /// <param name="random">Initialization generator; null takes <see cref="DefaultGenerator.Next"/>.</param>
    /// <param name="positions">A learned score per position for inputs of exactly this many positions; 0 for none (any length).</param>
    public AttentionPooling(int inputDim, int attentionDim, Random? random = null, int positions = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(positions);
        random ??= DefaultGenerator.Next();
        Projection = RegisterModule("proj", new Linear(inputDim, attentionDim, random: random));
        Context = RegisterParameter("context", Init.FanInUniform(random, attentionDim, attentionDim));
        PositionBias = positions > 0 ? RegisterParameter("position_bias", Tensor.Zeros(positions)) : null;
    }

    /// <summary>W, b.</summary>
    public Linear Projection { get; }

    /// <summary>The context vector u.</summary>
    public Tensor Context { get; }

    /// <summary>The score p_t learned for each position, or null when the layer pools any number of positions.</summary>
    public Tensor? PositionBias { get; }

    /// <summary>Pools <paramref name="h"/> [B, T, D] into [B, D]; the weights are [B, T].</summary>
    /// <param name="h">The sequence.</param>
    /// <param name="paddingMask">[B, T]; non-zero = padding, weight 0. A sequence that is all padding pools to zeros.</param>
    public AttentionResult Forward(Tensor h, Tensor? paddingMask = null)
    {
        ArgumentNullException.ThrowIfNull(h);
        if (h.Rank != 3 || h.Dims[2] != Projection.InFeatures)
        {
            throw new ArgumentException($"AttentionPooling: input of shape {ShapeMath.Format(h.Dims)}; expected [batch, positions, {Projection.InFeatures}].", nameof(h));
        }

        int b = h.Dims[0], t = h.Dims[1], d = h.Dims[2];
        if (PositionBias is { } bias && t != bias.Length)
        {
            throw new ArgumentException($"AttentionPooling: input of shape {ShapeMath.Format(h.Dims)} has {t} positions; this layer learned a score for each of exactly {bias.Length}.", nameof(h));
        }

        Tensor scores = Projection.Forward(h).Tanh().MatMul(Context.Reshape(Context.Length, 1)).Reshape(b, t);
        if (PositionBias is not null)
        {
            scores = scores.Add(PositionBias);
        }

        Tensor weights = PaddingBias.MaskedSoftmax(scores, paddingMask, nameof(paddingMask));
        Tensor pooled = weights.Reshape(b, 1, t).MatMul(h).Reshape(b, d);
        return new AttentionResult(pooled, weights);
    }
}
