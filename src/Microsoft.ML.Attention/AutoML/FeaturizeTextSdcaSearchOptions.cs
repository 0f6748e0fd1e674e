using Microsoft.ML.SearchSpace;

namespace Microsoft.ML.Attention.AutoML;

/// <summary>
/// The search space of ML.NET's own text baseline, <c>FeaturizeText</c> followed by <c>SdcaMaximumEntropy</c>: the
/// candidate that tells whether attention pays on the user's data.
/// </summary>
public sealed class FeaturizeTextSdcaSearchOptions
{
    /// <summary>The text column.</summary>
    public string TextColumnName { get; set; } = "Text";

    /// <summary>The label column (a key).</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>Longest word n-gram, 1–3 (first 2, FeaturizeText's default).</summary>
    [Range(1, 3, 2, false)]
    public int WordNgramLength { get; set; } = 2;

    /// <summary>Also character tri-grams (first true, FeaturizeText's default).</summary>
    [BooleanChoice(true)]
    public bool CharacterNgrams { get; set; } = true;

    /// <summary>SDCA's L2 regularisation, 1e-5–1 on a log scale (first 1e-3).</summary>
    [Range(1e-5f, 1f, 1e-3f, true)]
    public float L2Regularization { get; set; } = 1e-3f;
}
