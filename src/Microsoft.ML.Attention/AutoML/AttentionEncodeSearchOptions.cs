using Microsoft.ML.Attention.Models;
using Microsoft.ML.SearchSpace;

namespace Microsoft.ML.Attention.AutoML;

/// <summary>
/// The search space of <c>AttentionEncode</c> followed by ML.NET's <c>LbfgsMaximumEntropy</c> on the embedding. The
/// initial values are cheap (a narrow one-layer encoder, few epochs), so that a cost-frugal search starts fast; the
/// unsearched properties (columns, length) are set by whoever builds the candidate.
/// </summary>
public sealed class AttentionEncodeSearchOptions
{
    /// <summary>The text column.</summary>
    public string TextColumnName { get; set; } = AttentionEncodeOptions.Defaults.InputColumnName;

    /// <summary>The label column (a key).</summary>
    public string LabelColumnName { get; set; } = AttentionEncodeOptions.Defaults.LabelColumnName;

    /// <summary>Longest text in words; longer ones are cut.</summary>
    public int MaximumLength { get; set; } = AttentionEncodeOptions.Defaults.MaximumLength;

    /// <summary>Model width: 32, 64 or 128 (first 32).</summary>
    [Choice(new object[] { 32, 64, 128 }, 32)]
    public int ModelDimension { get; set; } = 32;

    /// <summary>Encoder layers, 1–3 (first 1).</summary>
    [Range(1, 3, 1, false)]
    public int Layers { get; set; } = 1;

    /// <summary>Attention heads: 2 or 4 (first 2).</summary>
    [Choice(new object[] { 2, 4 }, 2)]
    public int Heads { get; set; } = 2;

    /// <summary>Training epochs, 2–16 (first 3).</summary>
    [Range(2, 16, 3, false)]
    public int Epochs { get; set; } = 3;

    /// <summary>Learning rate, 1e-4–1e-2 on a log scale (first 2e-3).</summary>
    [Range(1e-4f, 1e-2f, 2e-3f, true)]
    public float LearningRate { get; set; } = 2e-3f;

    /// <summary>Dropout, 0–0.3 (first 0.1).</summary>
    [Range(0f, 0.3f, 0.1f, false)]
    public float Dropout { get; set; } = 0.1f;

    /// <summary>The encoder's options these values give (texts over the maximum are cut; the embedding is column "Embedding").</summary>
    public AttentionEncodeOptions ToOptions() => new()
    {
        InputColumnName = TextColumnName,
        LabelColumnName = LabelColumnName,
        OutputColumnName = "Embedding",
        MaximumLength = MaximumLength,
        TruncateLongText = true,
        ModelDimension = ModelDimension,
        Layers = Layers,
        Heads = Heads,
        FeedForwardDimension = 2 * ModelDimension,
        Epochs = Epochs,
        LearningRate = LearningRate,
        Dropout = Dropout,
    };
}
