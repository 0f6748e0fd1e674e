namespace Microsoft.ML.Attention.Transforms;

/// <summary>Options of <see cref="AttentionEncodeEstimator"/>; every default is stated.</summary>
public sealed class AttentionEncodeOptions
{
    /// <summary>Model width, the size of the output embedding. Default 64.</summary>
    public int ModelDimension { get; set; } = 64;

    /// <summary>Attention heads; must divide <see cref="ModelDimension"/>. Default 4.</summary>
    public int Heads { get; set; } = 4;

    /// <summary>Encoder layers. Default 2.</summary>
    public int Layers { get; set; } = 2;

    /// <summary>Hidden width of each layer's feed-forward network. Default 128.</summary>
    public int FeedForwardDimension { get; set; } = 128;

    /// <summary>Dropout in training. Default 0.1.</summary>
    public float Dropout { get; set; } = 0.1f;

    /// <summary>Most passes over the training data. Default 10.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Rows per training step. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>AdamW learning rate. Default 1e-3.</summary>
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Share of the rows held out for early stopping (0 = none). Default 0.1.</summary>
    public float ValidationFraction { get; set; } = 0.1f;

    /// <summary>Epochs without validation improvement before training stops. Default 3.</summary>
    public int EarlyStoppingPatience { get; set; } = 3;

    /// <summary>Longest text in words (text input) or in steps (vector input). Default 64.</summary>
    public int MaximumLength { get; set; } = 64;

    /// <summary>Longer texts are cut to <see cref="MaximumLength"/> instead of being refused. Default false.</summary>
    public bool TruncateLongText { get; set; }

    /// <summary>Vocabulary size including the padding and unknown markers (text input). Default 10000.</summary>
    public int VocabularySize { get; set; } = 10000;

    /// <summary>Floats per step when the input is a float vector; the vector size must be a multiple. Default 0 (text input).</summary>
    public int StepSize { get; set; }

    /// <summary>Name of an extra output column with the pooling weight of every word or step (0 on padding); null for none. Default null.</summary>
    public string? AttentionWeightsColumnName { get; set; }

    /// <summary>Name of an extra output column with the words the weights refer to (text input); null for none. Default null.</summary>
    public string? TokensColumnName { get; set; }

    /// <summary>Training seed; null takes one from the <c>MLContext</c>'s seed. Default null.</summary>
    public int? Seed { get; set; }
}
