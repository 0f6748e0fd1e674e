namespace Microsoft.ML.Attention.Training;

/// <summary>The shape of the decay after warmup.</summary>
public enum LearningRateDecay
{
    /// <summary>Half a cosine period.</summary>
    Cosine,

    /// <summary>A straight line.</summary>
    Linear,
}
