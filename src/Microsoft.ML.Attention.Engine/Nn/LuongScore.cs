namespace Microsoft.ML.Attention.Nn;

/// <summary>Luong et al. (2015) score functions between a decoder state s and an encoder state h.</summary>
public enum LuongScore
{
    /// <summary>s·h (widths must match; no parameters).</summary>
    Dot,

    /// <summary>s·(W h).</summary>
    General,

    /// <summary>vᵀ tanh(W [s; h]).</summary>
    Concat,
}
