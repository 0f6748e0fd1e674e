namespace Microsoft.ML.Attention.Models;

/// <summary>How an <see cref="AttentionEncoderModel"/> is trained.</summary>
public sealed class AttentionEncoderTrainingOptions
{
    /// <summary>Most passes over the training data. Default 10.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Examples per step. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>AdamW learning rate. Default 1e-3.</summary>
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>AdamW decoupled weight decay. Default 0.01.</summary>
    public float WeightDecay { get; set; } = 0.01f;

    /// <summary>Share of the examples held out for early stopping (0 = none). Default 0.1.</summary>
    public float ValidationFraction { get; set; } = 0.1f;

    /// <summary>Epochs without validation improvement before stopping. Default 3.</summary>
    public int EarlyStoppingPatience { get; set; } = 3;

    /// <summary>Gradient norm clip. Default 1.</summary>
    public float GradientClipNorm { get; set; } = 1f;
}
