namespace Microsoft.ML.Attention.Nn;

/// <summary>The pooling function.</summary>
public enum PoolKind
{
    /// <summary>The largest value of the window.</summary>
    Max,

    /// <summary>The mean of the window.</summary>
    Average,
}
