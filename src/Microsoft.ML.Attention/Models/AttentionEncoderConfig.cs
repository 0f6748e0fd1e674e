namespace Microsoft.ML.Attention.Models;

/// <summary>The architecture of an <see cref="AttentionEncoderModel"/>, everything needed to rebuild it before loading weights.</summary>
/// <param name="VocabularySize">Token ids 0…VocabularySize−1 (0 = padding, 1 = unknown); 0 for vector input.</param>
/// <param name="StepSize">Floats per step for vector input; 0 for token input.</param>
/// <param name="MaxLength">The longest sequence, in tokens or steps.</param>
/// <param name="ModelDim">Model width.</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="Layers">Encoder layers.</param>
/// <param name="FeedForwardDim">Hidden width of each layer's feed-forward network.</param>
/// <param name="Dropout">Dropout in training.</param>
/// <param name="Outputs">Head outputs: the number of classes, or 1 for regression.</param>
public sealed record AttentionEncoderConfig(
    int VocabularySize, int StepSize, int MaxLength, int ModelDim, int Heads, int Layers, int FeedForwardDim, float Dropout, int Outputs)
{
    /// <summary>True when the input is token ids, false when it is float steps.</summary>
    public bool IsTokenInput => VocabularySize > 0;
}
