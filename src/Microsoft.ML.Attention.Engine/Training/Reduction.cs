namespace Microsoft.ML.Attention.Training;

/// <summary>How a loss combines the per-element losses (PyTorch's <c>reduction</c>).</summary>
public enum Reduction
{
    /// <summary>Per-element losses, unreduced.</summary>
    None,

    /// <summary>The (weighted) mean.</summary>
    Mean,

    /// <summary>The sum.</summary>
    Sum,
}
