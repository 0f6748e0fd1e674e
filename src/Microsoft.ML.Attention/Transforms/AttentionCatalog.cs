using Microsoft.ML.Attention.Transforms;

namespace Microsoft.ML;

/// <summary>The pack's transforms on <c>mlContext.Transforms</c>.</summary>
public static class AttentionCatalog
{
    /// <summary>
    /// Trains a transformer encoder with attention pooling on <paramref name="inputColumnName"/> (text, or a float vector
    /// read as steps of <see cref="AttentionEncodeOptions.StepSize"/>) against <paramref name="labelColumnName"/> and
    /// outputs the pooled embedding in <paramref name="outputColumnName"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The embedding column to create (float vector of <see cref="AttentionEncodeOptions.ModelDimension"/>).</param>
    /// <param name="inputColumnName">The text or float vector column.</param>
    /// <param name="labelColumnName">A key (classes), Boolean or Single (regression) column the encoder is trained against.</param>
    /// <param name="options">Options; null for the documented defaults.</param>
    public static AttentionEncodeEstimator AttentionEncode(this TransformsCatalog catalog, string outputColumnName, string inputColumnName, string labelColumnName = "Label", AttentionEncodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(labelColumnName);
        options ??= new AttentionEncodeOptions();
        Check(options.ModelDimension > 0 && options.Heads > 0 && options.ModelDimension % options.Heads == 0, nameof(options.Heads), $"Heads ({options.Heads}) must be positive and divide ModelDimension ({options.ModelDimension}).");
        Check(options.Layers > 0, nameof(options.Layers), "Layers must be positive.");
        Check(options.FeedForwardDimension > 0, nameof(options.FeedForwardDimension), "FeedForwardDimension must be positive.");
        Check(options.Dropout >= 0 && options.Dropout < 1, nameof(options.Dropout), "Dropout must be in [0, 1).");
        Check(options.Epochs > 0 && options.BatchSize > 0, nameof(options.Epochs), "Epochs and BatchSize must be positive.");
        Check(options.LearningRate > 0 && float.IsFinite(options.LearningRate), nameof(options.LearningRate), "LearningRate must be positive.");
        Check(options.ValidationFraction >= 0 && options.ValidationFraction < 1, nameof(options.ValidationFraction), "ValidationFraction must be in [0, 1).");
        Check(options.MaximumLength > 0, nameof(options.MaximumLength), "MaximumLength must be positive.");
        Check(options.StepSize > 0 || options.VocabularySize > 2, nameof(options.VocabularySize), "VocabularySize must exceed 2 (padding and unknown markers).");
        Check(options.StepSize >= 0, nameof(options.StepSize), "StepSize must be 0 (text) or positive (vector).");
        Check(options.StepSize == 0 || options.TokensColumnName is null, nameof(options.TokensColumnName), "TokensColumnName applies to text input only.");
        return new AttentionEncodeEstimator(MLNetInternals.GetEnvironment(catalog), outputColumnName, inputColumnName, labelColumnName, options);
    }

    private static void Check(bool ok, string name, string message)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, $"AttentionEncodeOptions.{name}: {message}");
        }
    }
}
