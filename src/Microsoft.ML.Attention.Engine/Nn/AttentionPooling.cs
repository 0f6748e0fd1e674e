using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// Attention pooling with a learned context vector (Yang et al., 2016): score_t = u·tanh(W h_t + b), α = softmax over
/// positions, output Σ α_t h_t. Parameters <c>proj.weight</c> [A, D], <c>proj.bias</c> [A], <c>context</c> [A].
/// </summary>
public sealed class AttentionPooling : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="inputDim">Width D of the vectors pooled.</param>
    /// <param name="attentionDim">Width A of the hidden attention space.</param>
    /// <param name="random">Initialization generator; null takes <see cref="DefaultGenerator.Next"/>.</param>
    public AttentionPooling(int inputDim, int attentionDim, Random? random = null)
    {
        random ??= DefaultGenerator.Next();
        Projection = RegisterModule("proj", new Linear(inputDim, attentionDim, random: random));
        Context = RegisterParameter("context", Init.FanInUniform(random, attentionDim, attentionDim));
    }

    /// <summary>W, b.</summary>
    public Linear Projection { get; }

    /// <summary>The context vector u.</summary>
    public Tensor Context { get; }

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
        Tensor scores = Projection.Forward(h).Tanh().MatMul(Context.Reshape(Context.Length, 1)).Reshape(b, t);
        Tensor weights = PaddingBias.MaskedSoftmax(scores, paddingMask, nameof(paddingMask));
        Tensor pooled = weights.Reshape(b, 1, t).MatMul(h).Reshape(b, d);
        return new AttentionResult(pooled, weights);
    }
}
