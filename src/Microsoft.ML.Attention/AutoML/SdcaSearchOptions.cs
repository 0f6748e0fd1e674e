using Microsoft.ML.SearchSpace;

namespace Microsoft.ML.Attention.AutoML;

/// <summary>The search space of ML.NET's <c>SdcaMaximumEntropy</c> on ready features: its L2 regularization.</summary>
public sealed class SdcaSearchOptions
{
    /// <summary>L2 regularization, 1e-5–1 on a log scale (first 1e-3).</summary>
    [Range(1e-5f, 1f, 1e-3f, true)]
    public float L2Regularization { get; set; } = 1e-3f;
}
