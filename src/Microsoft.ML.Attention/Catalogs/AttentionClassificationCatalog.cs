using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Transforms;

namespace Microsoft.ML;

/// <summary>
/// The pack's trainers on <c>mlContext.MulticlassClassification.Trainers</c>,
/// <c>mlContext.BinaryClassification.Trainers</c> and <c>mlContext.Regression.Trainers</c>, beside ML.NET's own. Like the pack's
/// transforms they reach the context through an ML.NET internal; should a future ML.NET hide it, the error names the
/// public entry <c>mlContext.Attention()</c>, which offers the same methods.
/// </summary>
public static class AttentionClassificationCatalog
{
    /// <inheritdoc cref="AttentionCatalog.HierarchicalAttention(string, string, int, int, int, string?, string?)"/>
    public static HierarchicalAttentionEstimator HierarchicalAttention(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = HierarchicalAttentionOptions.Defaults.LabelColumnName,
        string textColumnName = HierarchicalAttentionOptions.Defaults.TextColumnName,
        int embeddingDimension = HierarchicalAttentionOptions.Defaults.EmbeddingDimension,
        int hiddenSize = HierarchicalAttentionOptions.Defaults.HiddenSize,
        int epochs = HierarchicalAttentionOptions.Defaults.Epochs,
        string? sentenceAttentionColumnName = null,
        string? wordAttentionColumnName = null) =>
        Entry(catalog).HierarchicalAttention(labelColumnName, textColumnName, embeddingDimension, hiddenSize, epochs, sentenceAttentionColumnName, wordAttentionColumnName);

    /// <inheritdoc cref="AttentionCatalog.HierarchicalAttention(HierarchicalAttentionOptions)"/>
    public static HierarchicalAttentionEstimator HierarchicalAttention(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, HierarchicalAttentionOptions options) =>
        Entry(catalog).HierarchicalAttention(options);

    /// <inheritdoc cref="AttentionCatalog.HierarchicalAttentionBinary(string, string, int, int, int, string?, string?)"/>
    public static HierarchicalAttentionEstimator HierarchicalAttention(
        this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = HierarchicalAttentionOptions.Defaults.LabelColumnName,
        string textColumnName = HierarchicalAttentionOptions.Defaults.TextColumnName,
        int embeddingDimension = HierarchicalAttentionOptions.Defaults.EmbeddingDimension,
        int hiddenSize = HierarchicalAttentionOptions.Defaults.HiddenSize,
        int epochs = HierarchicalAttentionOptions.Defaults.Epochs,
        string? sentenceAttentionColumnName = null,
        string? wordAttentionColumnName = null) =>
        Entry(catalog, nameof(AttentionCatalog.HierarchicalAttentionBinary)).HierarchicalAttentionBinary(labelColumnName, textColumnName, embeddingDimension, hiddenSize, epochs, sentenceAttentionColumnName, wordAttentionColumnName);

    /// <inheritdoc cref="AttentionCatalog.HierarchicalAttentionBinary(HierarchicalAttentionOptions)"/>
    public static HierarchicalAttentionEstimator HierarchicalAttention(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, HierarchicalAttentionOptions options) =>
        Entry(catalog, nameof(AttentionCatalog.HierarchicalAttentionBinary)).HierarchicalAttentionBinary(options);

    /// <inheritdoc cref="AttentionCatalog.ImageAttention(string, string, ImageAttentionKind, int, string?)"/>
    public static ImageAttentionEstimator ImageAttention(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = ImageAttentionOptions.Defaults.LabelColumnName,
        string featureColumnName = ImageAttentionOptions.Defaults.FeatureColumnName,
        ImageAttentionKind attention = ImageAttentionOptions.Defaults.Attention,
        int epochs = ImageAttentionOptions.Defaults.Epochs,
        string? attentionMapColumnName = null) =>
        Entry(catalog, nameof(AttentionCatalog.ImageAttention)).ImageAttention(labelColumnName, featureColumnName, attention, epochs, attentionMapColumnName);

    /// <inheritdoc cref="AttentionCatalog.ImageAttention(ImageAttentionOptions)"/>
    public static ImageAttentionEstimator ImageAttention(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, ImageAttentionOptions options) =>
        Entry(catalog, nameof(AttentionCatalog.ImageAttention)).ImageAttention(options);

    /// <inheritdoc cref="AttentionCatalog.RecurrentAttention(string, string, int, int, int, string?)"/>
    public static RecurrentAttentionEstimator RecurrentAttention(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = RecurrentAttentionOptions.Defaults.LabelColumnName,
        string featureColumnName = RecurrentAttentionOptions.Defaults.FeatureColumnName,
        int glimpses = RecurrentAttentionOptions.Defaults.Glimpses,
        int patchSize = RecurrentAttentionOptions.Defaults.PatchSize,
        int scales = RecurrentAttentionOptions.Defaults.Scales,
        string? locationsColumnName = null) =>
        Entry(catalog, nameof(AttentionCatalog.RecurrentAttention)).RecurrentAttention(labelColumnName, featureColumnName, glimpses, patchSize, scales, locationsColumnName);

    /// <inheritdoc cref="AttentionCatalog.RecurrentAttention(RecurrentAttentionOptions)"/>
    public static RecurrentAttentionEstimator RecurrentAttention(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, RecurrentAttentionOptions options) =>
        Entry(catalog, nameof(AttentionCatalog.RecurrentAttention)).RecurrentAttention(options);

    /// <inheritdoc cref="AttentionCatalog.TimeStepAttention(string, string, int, int, int, string?)"/>
    public static TimeStepAttentionEstimator TimeStepAttention(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = TimeStepAttentionOptions.Defaults.LabelColumnName,
        string featureColumnName = TimeStepAttentionOptions.Defaults.FeatureColumnName,
        int stepSize = TimeStepAttentionOptions.Defaults.StepSize,
        int hiddenSize = TimeStepAttentionOptions.Defaults.HiddenSize,
        int epochs = TimeStepAttentionOptions.Defaults.Epochs,
        string? stepAttentionColumnName = null) =>
        Entry(catalog, nameof(AttentionCatalog.TimeStepAttention)).TimeStepAttention(labelColumnName, featureColumnName, stepSize, hiddenSize, epochs, stepAttentionColumnName);

    /// <inheritdoc cref="AttentionCatalog.TimeStepAttention(TimeStepAttentionOptions)"/>
    public static TimeStepAttentionEstimator TimeStepAttention(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, TimeStepAttentionOptions options) =>
        Entry(catalog, nameof(AttentionCatalog.TimeStepAttention)).TimeStepAttention(options);

    /// <inheritdoc cref="AttentionCatalog.TimeStepAttentionRegression(string, string, int, int, int, string?)"/>
    public static TimeStepAttentionEstimator TimeStepAttention(
        this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = TimeStepAttentionOptions.Defaults.LabelColumnName,
        string featureColumnName = TimeStepAttentionOptions.Defaults.FeatureColumnName,
        int stepSize = TimeStepAttentionOptions.Defaults.StepSize,
        int hiddenSize = TimeStepAttentionOptions.Defaults.HiddenSize,
        int epochs = TimeStepAttentionOptions.Defaults.Epochs,
        string? stepAttentionColumnName = null) =>
        Entry(catalog, nameof(AttentionCatalog.TimeStepAttentionRegression)).TimeStepAttentionRegression(labelColumnName, featureColumnName, stepSize, hiddenSize, epochs, stepAttentionColumnName);

    /// <inheritdoc cref="AttentionCatalog.TimeStepAttentionRegression(TimeStepAttentionOptions)"/>
    public static TimeStepAttentionEstimator TimeStepAttention(this RegressionCatalog.RegressionTrainers catalog, TimeStepAttentionOptions options) =>
        Entry(catalog, nameof(AttentionCatalog.TimeStepAttentionRegression)).TimeStepAttentionRegression(options);

    /// <inheritdoc cref="AttentionCatalog.CoAttention(string, string, string, int)"/>
    public static CoAttentionEstimator CoAttention(
        this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = CoAttentionOptions.Defaults.LabelColumnName,
        string firstColumnName = CoAttentionOptions.Defaults.FirstColumnName,
        string secondColumnName = CoAttentionOptions.Defaults.SecondColumnName,
        int epochs = CoAttentionOptions.Defaults.Epochs) =>
        Entry(catalog, nameof(AttentionCatalog.CoAttention)).CoAttention(labelColumnName, firstColumnName, secondColumnName, epochs);

    /// <inheritdoc cref="AttentionCatalog.CoAttention(CoAttentionOptions)"/>
    public static CoAttentionEstimator CoAttention(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, CoAttentionOptions options) =>
        Entry(catalog, nameof(AttentionCatalog.CoAttention)).CoAttention(options);

    private static AttentionCatalog Entry(object catalog, string method = nameof(AttentionCatalog.HierarchicalAttention))
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new AttentionCatalog(MLNetInternals.GetEnvironment(catalog, method));
    }
}
