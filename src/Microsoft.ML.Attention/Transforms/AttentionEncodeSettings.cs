namespace Microsoft.ML.Attention.Transforms;

/// <summary>What a fitted <see cref="AttentionEncodeTransformer"/> needs besides its weights, as saved with it.</summary>
internal sealed record AttentionEncodeSettings(
    string OutputColumnName, string InputColumnName, int MaximumLength, bool TruncateLongText, int StepSize,
    string? AttentionWeightsColumnName, string? TokensColumnName)
{
    internal bool IsTextInput => StepSize == 0;
}
