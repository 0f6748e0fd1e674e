using Microsoft.ML.Attention.Models;
using Microsoft.ML.SearchSpace;

namespace Microsoft.ML.Attention.AutoML;

/// <summary>The search space of the hierarchical attention network trainer, starting cheap (narrow, two epochs).</summary>
public sealed class HierarchicalAttentionSearchOptions
{
    /// <summary>The text column.</summary>
    public string TextColumnName { get; set; } = HierarchicalAttentionOptions.Defaults.TextColumnName;

    /// <summary>The label column (a key).</summary>
    public string LabelColumnName { get; set; } = HierarchicalAttentionOptions.Defaults.LabelColumnName;

    /// <summary>Word embedding width: 32, 64 or 100 (first 32).</summary>
    [Choice(new object[] { 32, 64, 100 }, 32)]
    public int EmbeddingDimension { get; set; } = 32;

    /// <summary>Recurrent width per direction, 16–64 (first 16).</summary>
    [Range(16, 64, 16, false)]
    public int HiddenSize { get; set; } = 16;

    /// <summary>GRU or LSTM cells (first GRU).</summary>
    [Choice(new object[] { "Gru", "Lstm" }, "Gru")]
    public RecurrentCell Cell { get; set; } = RecurrentCell.Gru;

    /// <summary>Training epochs, 2–10 (first 2).</summary>
    [Range(2, 10, 2, false)]
    public int Epochs { get; set; } = 2;

    /// <summary>Learning rate, 3e-4–1e-2 on a log scale (first 2e-3).</summary>
    [Range(3e-4f, 1e-2f, 2e-3f, true)]
    public float LearningRate { get; set; } = 2e-3f;

    /// <summary>Dropout, 0–0.5 (first 0.3).</summary>
    [Range(0f, 0.5f, 0.3f, false)]
    public float Dropout { get; set; } = 0.3f;

    /// <summary>The trainer's options these values give.</summary>
    public HierarchicalAttentionOptions ToOptions() => new()
    {
        TextColumnName = TextColumnName,
        LabelColumnName = LabelColumnName,
        EmbeddingDimension = EmbeddingDimension,
        HiddenSize = HiddenSize,
        AttentionDimension = 2 * HiddenSize,
        Cell = Cell,
        Epochs = Epochs,
        LearningRate = LearningRate,
        Dropout = Dropout,
    };
}
