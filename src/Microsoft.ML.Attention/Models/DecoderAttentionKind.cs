namespace Microsoft.ML.Attention.Models;

/// <summary>How a sequence-to-sequence decoder scores the encoder states.</summary>
public enum DecoderAttentionKind
{
    /// <summary>
    /// Bahdanau et al. (2015): an additive score vᵀ tanh(W_q s + W_k h) from the previous decoder state; the context is
    /// fed into the recurrent cell with the previous token.
    /// </summary>
    Additive,

    /// <summary>Luong et al. (2015), dot: score = sᵀ h from the current decoder state (the encoder states and the decoder state have the same width).</summary>
    Dot,

    /// <summary>Luong et al. (2015), general: score = sᵀ W h from the current decoder state.</summary>
    General,

    /// <summary>Luong et al. (2015), concat: score = vᵀ tanh(W [s; h]) from the current decoder state.</summary>
    Concat,
}
