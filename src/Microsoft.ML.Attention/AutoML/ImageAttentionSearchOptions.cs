using Microsoft.ML.Attention.Models;
using Microsoft.ML.SearchSpace;

namespace Microsoft.ML.Attention.AutoML;

/// <summary>The search space of the image attention classifier, starting cheap (narrow, no attention block, three epochs).</summary>
public sealed class ImageAttentionSearchOptions
{
    /// <summary>The planar pixel column (from <c>ExtractPixels</c>).</summary>
    public string FeatureColumnName { get; set; } = ImageAttentionOptions.Defaults.FeatureColumnName;

    /// <summary>The label column (a key).</summary>
    public string LabelColumnName { get; set; } = ImageAttentionOptions.Defaults.LabelColumnName;

    /// <summary>The attention block after each stage (first none, the cheapest).</summary>
    [Choice(new object[] { "None", "SqueezeExcite", "EfficientChannel", "Cbam" }, "None")]
    public ImageAttentionKind Attention { get; set; } = ImageAttentionKind.None;

    /// <summary>Channels of the first stage; the second has twice as many: 8, 16 or 32 (first 8).</summary>
    [Choice(new object[] { 8, 16, 32 }, 8)]
    public int Width { get; set; } = 8;

    /// <summary>Training epochs, 3–20 (first 3).</summary>
    [Range(3, 20, 3, false)]
    public int Epochs { get; set; } = 3;

    /// <summary>Images per step: 16, 32, 64 or 128 (first 32; small data needs small batches to take enough steps).</summary>
    [Choice(new object[] { 16, 32, 64, 128 }, 32)]
    public int BatchSize { get; set; } = 32;

    /// <summary>Learning rate, 3e-4–1e-2 on a log scale (first 2e-3).</summary>
    [Range(3e-4f, 1e-2f, 2e-3f, true)]
    public float LearningRate { get; set; } = 2e-3f;

    /// <summary>Dropout before the classifier, 0–0.5 (first 0.3).</summary>
    [Range(0f, 0.5f, 0.3f, false)]
    public float Dropout { get; set; } = 0.3f;

    /// <summary>The trainer's options these values give.</summary>
    public ImageAttentionOptions ToOptions() => new()
    {
        FeatureColumnName = FeatureColumnName,
        LabelColumnName = LabelColumnName,
        Attention = Attention,
        StageChannels = [Width, 2 * Width],
        EmbeddingDimension = 4 * Width,
        Epochs = Epochs,
        BatchSize = BatchSize,
        LearningRate = LearningRate,
        Dropout = Dropout,
    };
}
