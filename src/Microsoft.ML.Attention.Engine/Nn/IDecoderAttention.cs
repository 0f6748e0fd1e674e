using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// Attention of decoder queries over encoder states in two parts, so that a decoder projects the keys once per source
/// batch and reuses them at every output step: <see cref="ProjectKeys"/>, then <see cref="Attend"/> per step.
/// <c>Attend(q, ProjectKeys(k), v, mask)</c> equals the layer's one-call <c>Forward(q, k, v, mask)</c>.
/// </summary>
public interface IDecoderAttention
{
    /// <summary>Width of the queries.</summary>
    int QueryDim { get; }

    /// <summary>Width of the encoder states (keys) before projection.</summary>
    int KeyDim { get; }

    /// <summary>The part of the score that depends on the keys only: <paramref name="keys"/> [B, S, KeyDim] → [B, S, width].</summary>
    Tensor ProjectKeys(Tensor keys);

    /// <summary>
    /// Attends from <paramref name="query"/> ([B, QueryDim] or [B, L, QueryDim]) over keys projected by
    /// <see cref="ProjectKeys"/>; the context is the weighted sum of <paramref name="values"/> [B, S, Dv].
    /// </summary>
    /// <param name="query">Decoder state(s).</param>
    /// <param name="projectedKeys">What <see cref="ProjectKeys"/> returned for the encoder states.</param>
    /// <param name="values">What is averaged (usually the encoder states themselves).</param>
    /// <param name="paddingMask">[B, S]; non-zero = padding, weight 0.</param>
    AttentionResult Attend(Tensor query, Tensor projectedKeys, Tensor values, Tensor? paddingMask = null);
}
