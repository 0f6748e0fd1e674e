using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Runtime;

namespace Microsoft.ML;

/// <summary>
/// The pack's estimators on a fully public entry, <c>mlContext.Attention()</c>: it holds the <see cref="MLContext"/>
/// itself, so it works whatever ML.NET keeps internal. <c>mlContext.Transforms.AttentionEncode(...)</c> is the same
/// estimator reached through ML.NET's transforms catalog.
/// </summary>
public sealed class AttentionCatalog
{
    private readonly IHostEnvironment _env;

    internal AttentionCatalog(IHostEnvironment env) => _env = env;

    /// <summary>
    /// Trains a transformer encoder with attention pooling on <paramref name="inputColumnName"/> (text) against
    /// <paramref name="labelColumnName"/> and outputs the pooled embedding in <paramref name="outputColumnName"/>.
    /// Every other setting has its default (<see cref="AttentionEncodeOptions.Defaults"/>); the options overload sets them all.
    /// </summary>
    /// <param name="outputColumnName">The embedding column to create (float vector of <paramref name="modelDimension"/>).</param>
    /// <param name="inputColumnName">The text column.</param>
    /// <param name="labelColumnName">A key (classes), Boolean or Single (regression) column the encoder is trained against.</param>
    /// <param name="modelDimension">Model width, the size of the embedding.</param>
    /// <param name="heads">Attention heads; must divide <paramref name="modelDimension"/>.</param>
    /// <param name="layers">Encoder layers.</param>
    /// <param name="epochs">Most passes over the training data (early stopping may end sooner).</param>
    /// <param name="maximumLength">Longest text in words; longer texts are refused.</param>
    /// <param name="attentionWeightsColumnName">An extra output column with every word's pooling weight, or null for none.</param>
    public AttentionEncodeEstimator AttentionEncode(
        string outputColumnName,
        string inputColumnName,
        string labelColumnName = AttentionEncodeOptions.Defaults.LabelColumnName,
        int modelDimension = AttentionEncodeOptions.Defaults.ModelDimension,
        int heads = AttentionEncodeOptions.Defaults.Heads,
        int layers = AttentionEncodeOptions.Defaults.Layers,
        int epochs = AttentionEncodeOptions.Defaults.Epochs,
        int maximumLength = AttentionEncodeOptions.Defaults.MaximumLength,
        string? attentionWeightsColumnName = null) =>
        AttentionEncode(new AttentionEncodeOptions
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            LabelColumnName = labelColumnName,
            ModelDimension = modelDimension,
            Heads = heads,
            Layers = layers,
            Epochs = epochs,
            MaximumLength = maximumLength,
            AttentionWeightsColumnName = attentionWeightsColumnName,
        });

    /// <summary>
    /// Trains a transformer encoder with attention pooling as <paramref name="options"/> say (columns, architecture,
    /// training, outputs; text or float-vector steps) and outputs the pooled embedding.
    /// </summary>
    /// <param name="options">The options; validated here, and copied so later changes do not reach the estimator.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public AttentionEncodeEstimator AttentionEncode(AttentionEncodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new AttentionEncodeEstimator(_env, options);
    }

    /// <summary>
    /// Trains a hierarchical attention network (word and sentence attention over a bidirectional GRU at both levels) on
    /// the document text in <paramref name="textColumnName"/> against the key label in <paramref name="labelColumnName"/>;
    /// it outputs <c>Score</c> and <c>PredictedLabel</c> for ML.NET's multiclass <c>Evaluate</c>. Every other setting has
    /// its default (<see cref="HierarchicalAttentionOptions.Defaults"/>); the options overload sets them all.
    /// </summary>
    /// <param name="labelColumnName">The key label column (use <c>MapValueToKey</c>).</param>
    /// <param name="textColumnName">The document text column.</param>
    /// <param name="embeddingDimension">Word embedding width.</param>
    /// <param name="hiddenSize">State width of each direction of the word and sentence encoders.</param>
    /// <param name="epochs">Most passes over the training data (early stopping may end sooner).</param>
    /// <param name="sentenceAttentionColumnName">An extra output column with every sentence's attention weight, or null.</param>
    /// <param name="wordAttentionColumnName">An extra output column with every word's attention weight within its sentence, or null.</param>
    public HierarchicalAttentionEstimator HierarchicalAttention(
        string labelColumnName = HierarchicalAttentionOptions.Defaults.LabelColumnName,
        string textColumnName = HierarchicalAttentionOptions.Defaults.TextColumnName,
        int embeddingDimension = HierarchicalAttentionOptions.Defaults.EmbeddingDimension,
        int hiddenSize = HierarchicalAttentionOptions.Defaults.HiddenSize,
        int epochs = HierarchicalAttentionOptions.Defaults.Epochs,
        string? sentenceAttentionColumnName = null,
        string? wordAttentionColumnName = null) =>
        HierarchicalAttention(HanOptions(labelColumnName, textColumnName, embeddingDimension, hiddenSize, epochs, sentenceAttentionColumnName, wordAttentionColumnName));

    /// <summary>Trains a hierarchical attention network as <paramref name="options"/> say (columns, architecture, text limits, training, outputs).</summary>
    /// <param name="options">The options; validated here, and copied so later changes do not reach the estimator.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public HierarchicalAttentionEstimator HierarchicalAttention(HierarchicalAttentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new HierarchicalAttentionEstimator(_env, options);
    }

    /// <summary>
    /// Trains a hierarchical attention network as a binary classifier on the document text in
    /// <paramref name="textColumnName"/> against the Boolean label in <paramref name="labelColumnName"/>; it outputs
    /// <c>Score</c> (the logit), <c>Probability</c> and a Boolean <c>PredictedLabel</c> for ML.NET's binary
    /// <c>Evaluate</c>. Every other setting has its default; the options overload sets them all.
    /// </summary>
    /// <param name="labelColumnName">The Boolean label column.</param>
    /// <param name="textColumnName">The document text column.</param>
    /// <param name="embeddingDimension">Word embedding width.</param>
    /// <param name="hiddenSize">State width of each direction of the word and sentence encoders.</param>
    /// <param name="epochs">Most passes over the training data (early stopping may end sooner).</param>
    /// <param name="sentenceAttentionColumnName">An extra output column with every sentence's attention weight, or null.</param>
    /// <param name="wordAttentionColumnName">An extra output column with every word's attention weight within its sentence, or null.</param>
    public HierarchicalAttentionEstimator HierarchicalAttentionBinary(
        string labelColumnName = HierarchicalAttentionOptions.Defaults.LabelColumnName,
        string textColumnName = HierarchicalAttentionOptions.Defaults.TextColumnName,
        int embeddingDimension = HierarchicalAttentionOptions.Defaults.EmbeddingDimension,
        int hiddenSize = HierarchicalAttentionOptions.Defaults.HiddenSize,
        int epochs = HierarchicalAttentionOptions.Defaults.Epochs,
        string? sentenceAttentionColumnName = null,
        string? wordAttentionColumnName = null) =>
        HierarchicalAttentionBinary(HanOptions(labelColumnName, textColumnName, embeddingDimension, hiddenSize, epochs, sentenceAttentionColumnName, wordAttentionColumnName));

    /// <summary>Trains a hierarchical attention network as a binary classifier as <paramref name="options"/> say.</summary>
    /// <param name="options">The options; validated here, and copied so later changes do not reach the estimator.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public HierarchicalAttentionEstimator HierarchicalAttentionBinary(HierarchicalAttentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new HierarchicalAttentionEstimator(_env, options, binary: true);
    }

    /// <summary>
    /// Trains an image attention classifier on the planar pixels in <paramref name="featureColumnName"/> (as
    /// <c>ExtractPixels</c> writes them) against the key label in <paramref name="labelColumnName"/>: stages of 3×3
    /// convolutions with the <paramref name="attention"/> block after each; it outputs <c>Score</c> and
    /// <c>PredictedLabel</c> for ML.NET's multiclass <c>Evaluate</c>. Every other setting has its default
    /// (<see cref="ImageAttentionOptions.Defaults"/>); the options overload sets them all.
    /// </summary>
    /// <param name="labelColumnName">The key label column (use <c>MapValueToKey</c>).</param>
    /// <param name="featureColumnName">The pixel column: planar [C, H, W] floats.</param>
    /// <param name="attention">The attention block after each stage.</param>
    /// <param name="epochs">Most passes over the training images (early stopping may end sooner).</param>
    /// <param name="attentionMapColumnName">An extra output column with the last stage's spatial map, or null.</param>
    public ImageAttentionEstimator ImageAttention(
        string labelColumnName = ImageAttentionOptions.Defaults.LabelColumnName,
        string featureColumnName = ImageAttentionOptions.Defaults.FeatureColumnName,
        ImageAttentionKind attention = ImageAttentionOptions.Defaults.Attention,
        int epochs = ImageAttentionOptions.Defaults.Epochs,
        string? attentionMapColumnName = null) =>
        ImageAttention(new ImageAttentionOptions { LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Attention = attention, Epochs = epochs, AttentionMapColumnName = attentionMapColumnName });

    /// <summary>Trains an image attention classifier as <paramref name="options"/> say (columns, backbone, head, training, outputs).</summary>
    /// <param name="options">The options; validated here, and copied so later changes do not reach the estimator.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public ImageAttentionEstimator ImageAttention(ImageAttentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ImageAttentionEstimator(_env, options, featurizer: false);
    }

    /// <summary>
    /// Trains an image attention network at <c>Fit</c> against the key label in <paramref name="labelColumnName"/> and
    /// writes its embedding of the planar pixels in <paramref name="inputColumnName"/> to
    /// <paramref name="outputColumnName"/>, for a standard ML.NET trainer to follow. Every other setting has its
    /// default (<see cref="ImageAttentionOptions.Defaults"/>); the options overload sets them all.
    /// </summary>
    /// <param name="outputColumnName">The embedding column to write.</param>
    /// <param name="inputColumnName">The pixel column: planar [C, H, W] floats.</param>
    /// <param name="labelColumnName">The key label column the network is trained against.</param>
    /// <param name="attention">The attention block after each stage.</param>
    /// <param name="epochs">Most passes over the training images (early stopping may end sooner).</param>
    /// <param name="attentionMapColumnName">An extra output column with the last stage's spatial map, or null.</param>
    public ImageAttentionEstimator ImageAttentionFeaturize(
        string outputColumnName,
        string inputColumnName,
        string labelColumnName = ImageAttentionOptions.Defaults.LabelColumnName,
        ImageAttentionKind attention = ImageAttentionOptions.Defaults.Attention,
        int epochs = ImageAttentionOptions.Defaults.Epochs,
        string? attentionMapColumnName = null) =>
        ImageAttentionFeaturize(new ImageAttentionOptions
        {
            EmbeddingColumnName = outputColumnName, FeatureColumnName = inputColumnName, LabelColumnName = labelColumnName, Attention = attention, Epochs = epochs,
            AttentionMapColumnName = attentionMapColumnName,
        });

    /// <summary>Trains an image attention featurizer as <paramref name="options"/> say; the embedding goes to <see cref="ImageAttentionOptions.EmbeddingColumnName"/>.</summary>
    /// <param name="options">The options; validated here, and copied so later changes do not reach the estimator.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public ImageAttentionEstimator ImageAttentionFeaturize(ImageAttentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ImageAttentionEstimator(_env, options, featurizer: true);
    }

    /// <summary>
    /// Trains the recurrent attention model (Mnih et al. 2014) on the planar pixels in <paramref name="featureColumnName"/>
    /// against the key label in <paramref name="labelColumnName"/>: <paramref name="glimpses"/> glimpses of
    /// <paramref name="scales"/> patches of <paramref name="patchSize"/>² pixels, the locations chosen by a policy trained
    /// with REINFORCE; it outputs <c>Score</c> and <c>PredictedLabel</c> and, on request, the glimpse locations. Every
    /// other setting has its default (<see cref="RecurrentAttentionOptions.Defaults"/>); the options overload sets them all.
    /// </summary>
    /// <param name="labelColumnName">The key label column (use <c>MapValueToKey</c>).</param>
    /// <param name="featureColumnName">The pixel column: planar [C, H, W] floats.</param>
    /// <param name="glimpses">Glimpses per image.</param>
    /// <param name="patchSize">Side of the finest patch.</param>
    /// <param name="scales">Patches per glimpse, each twice as wide as the last.</param>
    /// <param name="locationsColumnName">An extra output column with every glimpse's location, or null.</param>
    public RecurrentAttentionEstimator RecurrentAttention(
        string labelColumnName = RecurrentAttentionOptions.Defaults.LabelColumnName,
        string featureColumnName = RecurrentAttentionOptions.Defaults.FeatureColumnName,
        int glimpses = RecurrentAttentionOptions.Defaults.Glimpses,
        int patchSize = RecurrentAttentionOptions.Defaults.PatchSize,
        int scales = RecurrentAttentionOptions.Defaults.Scales,
        string? locationsColumnName = null) =>
        RecurrentAttention(new RecurrentAttentionOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Glimpses = glimpses, PatchSize = patchSize, Scales = scales,
            LocationsColumnName = locationsColumnName,
        });

    /// <summary>Trains the recurrent attention model as <paramref name="options"/> say.</summary>
    /// <param name="options">The options; validated here, and copied so later changes do not reach the estimator.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public RecurrentAttentionEstimator RecurrentAttention(RecurrentAttentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new RecurrentAttentionEstimator(_env, options);
    }

    /// <summary>
    /// Trains an encoder–decoder with attention at <c>Fit</c> to turn the text in <paramref name="sourceColumnName"/>
    /// into the text in <paramref name="targetColumnName"/> (teacher forcing), and writes the predicted text of every
    /// source to <paramref name="outputColumnName"/>. Every other setting has its default
    /// (<see cref="SequenceToSequenceOptions.Defaults"/>: characters, a bidirectional GRU encoder, additive attention,
    /// greedy decoding); the options overload sets them all, including the alignment and token columns.
    /// </summary>
    /// <param name="outputColumnName">The predicted text column to write.</param>
    /// <param name="sourceColumnName">The source text column.</param>
    /// <param name="targetColumnName">The target text column, read at <c>Fit</c> only.</param>
    /// <param name="unit">What one token is: a character or a word.</param>
    /// <param name="attention">The decoder's attention.</param>
    /// <param name="epochs">Most passes over the training pairs (early stopping may end sooner).</param>
    /// <param name="alignmentColumnName">An extra output column with the alignment (output tokens × source tokens), or null.</param>
    public SequenceToSequenceEstimator SequenceToSequence(
        string outputColumnName,
        string sourceColumnName,
        string targetColumnName,
        TextUnit unit = SequenceToSequenceOptions.Defaults.Unit,
        DecoderAttentionKind attention = SequenceToSequenceOptions.Defaults.Attention,
        int epochs = SequenceToSequenceOptions.Defaults.Epochs,
        string? alignmentColumnName = null) =>
        SequenceToSequence(new SequenceToSequenceOptions
        {
            OutputColumnName = outputColumnName, SourceColumnName = sourceColumnName, TargetColumnName = targetColumnName, Unit = unit, Attention = attention,
            Epochs = epochs, AlignmentColumnName = alignmentColumnName,
        });

    /// <summary>Trains an encoder–decoder with attention as <paramref name="options"/> say.</summary>
    /// <param name="options">The options; validated here, and copied so later changes do not reach the estimator.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public SequenceToSequenceEstimator SequenceToSequence(SequenceToSequenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SequenceToSequenceEstimator(_env, options);
    }

    /// <summary>
    /// Trains attention over the time steps of the float vector in <paramref name="featureColumnName"/> (steps of
    /// <paramref name="stepSize"/> values; an LSTM, softmax attention pooling over its states, a linear head) against the
    /// key label in <paramref name="labelColumnName"/>; it outputs <c>Score</c> and <c>PredictedLabel</c> for ML.NET's
    /// multiclass <c>Evaluate</c> and, on request, the weight of every step. Every other setting has its default
    /// (<see cref="TimeStepAttentionOptions.Defaults"/>); the options overload sets them all.
    /// </summary>
    /// <param name="labelColumnName">The key label column (use <c>MapValueToKey</c>).</param>
    /// <param name="featureColumnName">The fixed-size float-vector column.</param>
    /// <param name="stepSize">Values per step.</param>
    /// <param name="hiddenSize">State width of the recurrent layer.</param>
    /// <param name="epochs">Most passes over the training rows (early stopping may end sooner).</param>
    /// <param name="stepAttentionColumnName">An extra output column with every step's weight, or null.</param>
    public TimeStepAttentionEstimator TimeStepAttention(
        string labelColumnName = TimeStepAttentionOptions.Defaults.LabelColumnName,
        string featureColumnName = TimeStepAttentionOptions.Defaults.FeatureColumnName,
        int stepSize = TimeStepAttentionOptions.Defaults.StepSize,
        int hiddenSize = TimeStepAttentionOptions.Defaults.HiddenSize,
        int epochs = TimeStepAttentionOptions.Defaults.Epochs,
        string? stepAttentionColumnName = null) =>
        TimeStepAttention(TimeStepOptions(labelColumnName, featureColumnName, stepSize, hiddenSize, epochs, stepAttentionColumnName));

    /// <summary>Trains a time-step attention classifier as <paramref name="options"/> say.</summary>
    /// <param name="options">The options; validated here, and copied so later changes do not reach the estimator.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public TimeStepAttentionEstimator TimeStepAttention(TimeStepAttentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new TimeStepAttentionEstimator(_env, options, regression: false);
    }

    /// <summary>
    /// As <see cref="TimeStepAttention(string, string, int, int, int, string?)"/> for regression: a Single label and one
    /// <c>Score</c> for ML.NET's regression <c>Evaluate</c>.
    /// </summary>
    /// <param name="labelColumnName">The Single label column.</param>
    /// <param name="featureColumnName">The fixed-size float-vector column.</param>
    /// <param name="stepSize">Values per step.</param>
    /// <param name="hiddenSize">State width of the recurrent layer.</param>
    /// <param name="epochs">Most passes over the training rows (early stopping may end sooner).</param>
    /// <param name="stepAttentionColumnName">An extra output column with every step's weight, or null.</param>
    public TimeStepAttentionEstimator TimeStepAttentionRegression(
        string labelColumnName = TimeStepAttentionOptions.Defaults.LabelColumnName,
        string featureColumnName = TimeStepAttentionOptions.Defaults.FeatureColumnName,
        int stepSize = TimeStepAttentionOptions.Defaults.StepSize,
        int hiddenSize = TimeStepAttentionOptions.Defaults.HiddenSize,
        int epochs = TimeStepAttentionOptions.Defaults.Epochs,
        string? stepAttentionColumnName = null) =>
        TimeStepAttentionRegression(TimeStepOptions(labelColumnName, featureColumnName, stepSize, hiddenSize, epochs, stepAttentionColumnName));

    /// <summary>Trains a time-step attention regressor as <paramref name="options"/> say.</summary>
    /// <param name="options">The options; validated here, and copied so later changes do not reach the estimator.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public TimeStepAttentionEstimator TimeStepAttentionRegression(TimeStepAttentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new TimeStepAttentionEstimator(_env, options, regression: true);
    }

    private static TimeStepAttentionOptions TimeStepOptions(string labelColumnName, string featureColumnName, int stepSize, int hiddenSize, int epochs, string? stepAttentionColumnName) => new()
    {
        LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, StepSize = stepSize, HiddenSize = hiddenSize, Epochs = epochs,
        StepAttentionColumnName = stepAttentionColumnName,
    };

    /// <summary>
    /// Trains a co-attention text-pair classifier on the texts in <paramref name="firstColumnName"/> and
    /// <paramref name="secondColumnName"/> against the Boolean label in <paramref name="labelColumnName"/>: one
    /// bidirectional GRU encodes both, each text attends to the other (dot-product affinity), both are pooled by attention and classified. It
    /// outputs <c>Score</c>, <c>Probability</c> and <c>PredictedLabel</c> for ML.NET's binary <c>Evaluate</c>. Every other
    /// setting has its default (<see cref="CoAttentionOptions.Defaults"/>); the options overload sets them all, including
    /// the two matrices' columns.
    /// </summary>
    /// <param name="labelColumnName">The Boolean label column.</param>
    /// <param name="firstColumnName">The first text column.</param>
    /// <param name="secondColumnName">The second text column.</param>
    /// <param name="epochs">Most passes over the training pairs (early stopping may end sooner).</param>
    public CoAttentionEstimator CoAttention(
        string labelColumnName = CoAttentionOptions.Defaults.LabelColumnName,
        string firstColumnName = CoAttentionOptions.Defaults.FirstColumnName,
        string secondColumnName = CoAttentionOptions.Defaults.SecondColumnName,
        int epochs = CoAttentionOptions.Defaults.Epochs) =>
        CoAttention(new CoAttentionOptions { LabelColumnName = labelColumnName, FirstColumnName = firstColumnName, SecondColumnName = secondColumnName, Epochs = epochs });

    /// <summary>Trains a co-attention text-pair classifier as <paramref name="options"/> say.</summary>
    /// <param name="options">The options; validated here, and copied so later changes do not reach the estimator.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public CoAttentionEstimator CoAttention(CoAttentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new CoAttentionEstimator(_env, options);
    }

    /// <summary>The options the simple hierarchical-attention overloads stand for.</summary>
    private static HierarchicalAttentionOptions HanOptions(string labelColumnName, string textColumnName, int embeddingDimension, int hiddenSize, int epochs,
        string? sentenceAttentionColumnName, string? wordAttentionColumnName) => new()
        {
            LabelColumnName = labelColumnName,
            TextColumnName = textColumnName,
            EmbeddingDimension = embeddingDimension,
            HiddenSize = hiddenSize,
            Epochs = epochs,
            SentenceAttentionColumnName = sentenceAttentionColumnName,
            WordAttentionColumnName = wordAttentionColumnName,
        };
}
