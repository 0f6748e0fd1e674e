using Microsoft.ML.Attention.Models;
using Microsoft.ML.Transforms.Text;

namespace Microsoft.ML.Attention.AutoML;

/// <summary>
/// The pack's AutoML entry (<c>mlContext.AttentionAuto()</c>): experiments, sweepable estimators for the pack's models
/// and ML.NET baselines, and ready pipelines for whole tasks.
/// </summary>
public sealed class AttentionAutoCatalog
{
    private readonly MLContext _mlContext;

    /// <summary>The word-weight column the text candidates add when asked for attention columns (float vector).</summary>
    public const string WordAttentionColumnName = "WordAttention";

    /// <summary>The column of the words those weights refer to (text vector).</summary>
    public const string WordsColumnName = "Words";

    /// <summary>The sentence-weight column the hierarchical attention network adds when asked (float vector).</summary>
    public const string SentenceAttentionColumnName = "SentenceAttention";

    /// <summary>The column of the sentences those weights refer to (text vector).</summary>
    public const string SentencesColumnName = "Sentences";

    /// <summary>The names of <see cref="TextClassification"/>'s candidates, in their order.</summary>
    public static IReadOnlyList<string> TextClassificationCandidates { get; } = [AttentionEncodeName, HierarchicalAttentionName, FeaturizeTextSdcaName];

    /// <summary>The name of <see cref="AttentionEncode"/>'s candidate.</summary>
    public const string AttentionEncodeName = "AttentionEncode+LbfgsMaximumEntropy";

    /// <summary>The name of <see cref="HierarchicalAttention"/>'s candidate.</summary>
    public const string HierarchicalAttentionName = "HierarchicalAttention";

    /// <summary>The name of <see cref="FeaturizeTextSdca"/>'s candidate.</summary>
    public const string FeaturizeTextSdcaName = "FeaturizeText+SdcaMaximumEntropy";

    internal AttentionAutoCatalog(MLContext mlContext) => _mlContext = mlContext;

    /// <summary>A new experiment (set its pipeline, data, metric and budget, then <c>RunAsync</c>).</summary>
    public AttentionExperiment CreateExperiment() => new(_mlContext);

    /// <summary>A sweepable estimator over <typeparamref name="TOptions"/>'s attributed properties.</summary>
    public SweepableEstimator CreateSweepableEstimator<TOptions>(string name, Func<MLContext, TOptions, IEstimator<ITransformer>> factory)
        where TOptions : class, new() => SweepableEstimator.Create(name, factory);

    /// <summary>
    /// <c>AttentionEncode</c> + <c>LbfgsMaximumEntropy</c> over <see cref="AttentionEncodeSearchOptions"/>; the label must be a key
    /// (the pipeline's prefix maps it).
    /// </summary>
    /// <param name="labelColumnName">The label (a key).</param>
    /// <param name="textColumnName">The text (String).</param>
    /// <param name="maximumWords">Words read per text (longer texts are cut).</param>
    /// <param name="attentionColumns">Also output <see cref="WordAttentionColumnName"/> and <see cref="WordsColumnName"/>.</param>
    public SweepableEstimator AttentionEncode(string labelColumnName, string textColumnName, int maximumWords = 64, bool attentionColumns = false) =>
        SweepableEstimator.Create<AttentionEncodeSearchOptions>(AttentionEncodeName, (ml, o) =>
        {
            o.LabelColumnName = labelColumnName;
            o.TextColumnName = textColumnName;
            o.MaximumLength = maximumWords;
            AttentionEncodeOptions options = o.ToOptions();
            if (attentionColumns)
            {
                options.AttentionWeightsColumnName = WordAttentionColumnName;
                options.TokensColumnName = WordsColumnName;
            }

            // L-BFGS passes over the data many times: the cache keeps it from re-running the encoder on every pass.
            return ml.Transforms.AttentionEncode(options)
                .AppendCacheCheckpoint(ml)
                .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(labelColumnName, "Embedding"));
        });

    /// <summary>The hierarchical attention network over <see cref="HierarchicalAttentionSearchOptions"/>.</summary>
    /// <param name="labelColumnName">The label (a key).</param>
    /// <param name="textColumnName">The text (String).</param>
    /// <param name="attentionColumns">
    /// Also output <see cref="WordAttentionColumnName"/>, <see cref="WordsColumnName"/>, <see cref="SentenceAttentionColumnName"/>
    /// and <see cref="SentencesColumnName"/>.
    /// </param>
    public SweepableEstimator HierarchicalAttention(string labelColumnName, string textColumnName, bool attentionColumns = false) =>
        SweepableEstimator.Create<HierarchicalAttentionSearchOptions>(HierarchicalAttentionName, (ml, o) =>
        {
            o.LabelColumnName = labelColumnName;
            o.TextColumnName = textColumnName;
            HierarchicalAttentionOptions options = o.ToOptions();
            if (attentionColumns)
            {
                options.WordAttentionColumnName = WordAttentionColumnName;
                options.WordsColumnName = WordsColumnName;
                options.SentenceAttentionColumnName = SentenceAttentionColumnName;
                options.SentencesColumnName = SentencesColumnName;
            }

            return ml.MulticlassClassification.Trainers.HierarchicalAttention(options);
        });

    /// <summary>ML.NET's <c>FeaturizeText</c> + <c>SdcaMaximumEntropy</c> over <see cref="FeaturizeTextSdcaSearchOptions"/>: the baseline.</summary>
    public SweepableEstimator FeaturizeTextSdca(string labelColumnName, string textColumnName) =>
        SweepableEstimator.Create<FeaturizeTextSdcaSearchOptions>(FeaturizeTextSdcaName, (ml, o) =>
        {
            var text = new TextFeaturizingEstimator.Options
            {
                WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = o.WordNgramLength, UseAllLengths = true },
                CharFeatureExtractor = o.CharacterNgrams ? new WordBagEstimator.Options { NgramLength = 3, UseAllLengths = false } : null,
            };
            return ml.Transforms.Text.FeaturizeText("FeaturizedText", text, textColumnName)
                .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(labelColumnName, "FeaturizedText", l2Regularization: o.L2Regularization));
        });

    /// <summary>The name of <see cref="ImageAttention"/>'s candidate.</summary>
    public const string ImageAttentionName = "ImageAttention";

    /// <summary>The name of <see cref="PixelsSdca"/>'s candidate.</summary>
    public const string PixelsSdcaName = "NormalizeMinMax+SdcaMaximumEntropy";

    /// <summary>The attention-map column <see cref="ImageAttention"/> adds when asked (float vector of the last stage's map).</summary>
    public const string AttentionMapColumnName = "AttentionMap";

    /// <summary>The image attention classifier over <see cref="ImageAttentionSearchOptions"/> on planar pixels (e.g. <c>ExtractPixels</c>'s).</summary>
    /// <param name="labelColumnName">The label (a key).</param>
    /// <param name="featureColumnName">The pixels, with image dimensions.</param>
    /// <param name="attentionMap">Also output <see cref="AttentionMapColumnName"/>.</param>
    public SweepableEstimator ImageAttention(string labelColumnName, string featureColumnName, bool attentionMap = false) =>
        SweepableEstimator.Create<ImageAttentionSearchOptions>(ImageAttentionName, (ml, o) =>
        {
            o.LabelColumnName = labelColumnName;
            o.FeatureColumnName = featureColumnName;
            ImageAttentionOptions options = o.ToOptions();
            if (attentionMap)
            {
                options.AttentionMapColumnName = AttentionMapColumnName;
            }

            return ml.MulticlassClassification.Trainers.ImageAttention(options);
        });

    /// <summary>
    /// ML.NET's linear baseline on raw pixels: <c>NormalizeMinMax</c> + <c>SdcaMaximumEntropy</c> over
    /// <see cref="SdcaSearchOptions"/>, to show whether attention pays.
    /// </summary>
    /// <param name="labelColumnName">The label (a key).</param>
    /// <param name="featureColumnName">The pixels (any float vector).</param>
    public SweepableEstimator PixelsSdca(string labelColumnName, string featureColumnName) =>
        SweepableEstimator.Create<SdcaSearchOptions>(PixelsSdcaName, (ml, o) =>
            ml.Transforms.NormalizeMinMax("NormalizedPixels", featureColumnName)
                .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(labelColumnName, "NormalizedPixels", l2Regularization: o.L2Regularization)));

    /// <summary>
    /// Text classification: the label mapped to a key, then one of <c>AttentionEncode</c> + L-BFGS, the hierarchical
    /// attention network and <c>FeaturizeText</c> + SDCA per trial, and the predicted label mapped back to its value.
    /// </summary>
    /// <param name="labelColumnName">The label (any type <c>MapValueToKey</c> takes).</param>
    /// <param name="textColumnName">The text (String).</param>
    /// <param name="maximumWords">Words <c>AttentionEncode</c> reads per text (longer texts are cut).</param>
    /// <param name="attentionColumns">The attention candidates also output their word (and sentence) weights, under this class's column-name constants.</param>
    /// <param name="candidates">The candidates' names to keep (null: all three); see <see cref="TextClassificationCandidates"/>.</param>
    /// <exception cref="ArgumentException">A name in <paramref name="candidates"/> is not one of them, or none is left.</exception>
    public SweepablePipeline TextClassification(
        string labelColumnName = "Label", string textColumnName = "Text", int maximumWords = 64, bool attentionColumns = false, IReadOnlyCollection<string>? candidates = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(labelColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(textColumnName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maximumWords);
        SweepableEstimator[] all =
        [
            AttentionEncode(labelColumnName, textColumnName, maximumWords, attentionColumns),
            HierarchicalAttention(labelColumnName, textColumnName, attentionColumns),
            FeaturizeTextSdca(labelColumnName, textColumnName),
        ];
        if (candidates?.FirstOrDefault(n => !all.Any(c => c.Name == n)) is { } unknown)
        {
            throw new ArgumentException($"'{unknown}' is not a text-classification candidate; they are {string.Join(", ", TextClassificationCandidates)}.", nameof(candidates));
        }

        SweepableEstimator[] kept = candidates is null ? all : [.. all.Where(c => candidates.Contains(c.Name))];
        if (kept.Length == 0)
        {
            throw new ArgumentException("No text-classification candidate is left to sweep.", nameof(candidates));
        }

        return new SweepablePipeline(
            kept,
            prefix: ml => ml.Transforms.Conversion.MapValueToKey(labelColumnName),
            suffix: ml => ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
    }
}
