namespace Microsoft.ML.Attention.Autograd;

/// <summary>Whether an attention call returns its weights, and in which form.</summary>
public enum AttentionWeights
{
    /// <summary>No weights; the fused kernel runs (memory O(sequence × head dim)).</summary>
    None,

    /// <summary>Weights of every head, [batch, heads, queries, keys].</summary>
    PerHead,

    /// <summary>Weights averaged over heads, [batch, queries, keys] (PyTorch's <c>average_attn_weights=True</c>).</summary>
    Averaged,
}
