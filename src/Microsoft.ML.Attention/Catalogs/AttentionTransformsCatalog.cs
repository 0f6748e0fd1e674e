using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Transforms;

namespace Microsoft.ML;

/// <summary>
/// The pack's transforms on <c>mlContext.Transforms</c>, beside ML.NET's own. They reach the context behind the catalog
/// through an ML.NET internal; should a future ML.NET hide it, the error names the public entry
/// <c>mlContext.Attention()</c>, which offers the same methods.
/// </summary>
public static class AttentionTransformsCatalog
{
    /// <inheritdoc cref="AttentionCatalog.AttentionEncode(string, string, string, int, int, int, int, int, string?)"/>
    public static AttentionEncodeEstimator AttentionEncode(
        this TransformsCatalog catalog,
        string outputColumnName,
        string inputColumnName,
        string labelColumnName = AttentionEncodeOptions.Defaults.LabelColumnName,
        int modelDimension = AttentionEncodeOptions.Defaults.ModelDimension,
        int heads = AttentionEncodeOptions.Defaults.Heads,
        int layers = AttentionEncodeOptions.Defaults.Layers,
        int epochs = AttentionEncodeOptions.Defaults.Epochs,
        int maximumLength = AttentionEncodeOptions.Defaults.MaximumLength,
        string? attentionWeightsColumnName = null) =>
        Entry(catalog).AttentionEncode(outputColumnName, inputColumnName, labelColumnName, modelDimension, heads, layers, epochs, maximumLength, attentionWeightsColumnName);

    /// <inheritdoc cref="AttentionCatalog.AttentionEncode(AttentionEncodeOptions)"/>
    public static AttentionEncodeEstimator AttentionEncode(this TransformsCatalog catalog, AttentionEncodeOptions options) =>
        Entry(catalog).AttentionEncode(options);

    /// <inheritdoc cref="AttentionCatalog.ImageAttentionFeaturize(string, string, string, ImageAttentionKind, int, string?)"/>
    public static ImageAttentionEstimator ImageAttentionFeaturize(
        this TransformsCatalog catalog,
        string outputColumnName,
        string inputColumnName,
        string labelColumnName = ImageAttentionOptions.Defaults.LabelColumnName,
        ImageAttentionKind attention = ImageAttentionOptions.Defaults.Attention,
        int epochs = ImageAttentionOptions.Defaults.Epochs,
        string? attentionMapColumnName = null) =>
        Entry(catalog, nameof(AttentionCatalog.ImageAttentionFeaturize)).ImageAttentionFeaturize(outputColumnName, inputColumnName, labelColumnName, attention, epochs, attentionMapColumnName);

    /// <inheritdoc cref="AttentionCatalog.ImageAttentionFeaturize(ImageAttentionOptions)"/>
    public static ImageAttentionEstimator ImageAttentionFeaturize(this TransformsCatalog catalog, ImageAttentionOptions options) =>
        Entry(catalog, nameof(AttentionCatalog.ImageAttentionFeaturize)).ImageAttentionFeaturize(options);

    /// <inheritdoc cref="AttentionCatalog.SequenceToSequence(string, string, string, TextUnit, DecoderAttentionKind, int, string?)"/>
    public static SequenceToSequenceEstimator SequenceToSequence(
        this TransformsCatalog catalog,
        string outputColumnName,
        string sourceColumnName,
        string targetColumnName,
        TextUnit unit = SequenceToSequenceOptions.Defaults.Unit,
        DecoderAttentionKind attention = SequenceToSequenceOptions.Defaults.Attention,
        int epochs = SequenceToSequenceOptions.Defaults.Epochs,
        string? alignmentColumnName = null) =>
        Entry(catalog, nameof(AttentionCatalog.SequenceToSequence)).SequenceToSequence(outputColumnName, sourceColumnName, targetColumnName, unit, attention, epochs, alignmentColumnName);

    /// <inheritdoc cref="AttentionCatalog.SequenceToSequence(SequenceToSequenceOptions)"/>
    public static SequenceToSequenceEstimator SequenceToSequence(this TransformsCatalog catalog, SequenceToSequenceOptions options) =>
        Entry(catalog, nameof(AttentionCatalog.SequenceToSequence)).SequenceToSequence(options);

    private static AttentionCatalog Entry(TransformsCatalog catalog, string method = nameof(AttentionCatalog.AttentionEncode))
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new AttentionCatalog(MLNetInternals.GetEnvironment(catalog, method));
    }
}
