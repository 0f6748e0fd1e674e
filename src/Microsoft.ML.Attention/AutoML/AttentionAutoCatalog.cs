using Microsoft.ML.Transforms.Text;

namespace Microsoft.ML.Attention.AutoML;

/// <summary>
/// The pack's AutoML entry (<c>mlContext.AttentionAuto()</c>): experiments, sweepable estimators for the pack's models
/// and ML.NET baselines, and ready pipelines for whole tasks.
/// </summary>
public sealed class AttentionAutoCatalog
{
    private readonly MLContext _mlContext;

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
    public SweepableEstimator AttentionEncode(string labelColumnName, string textColumnName, int maximumWords = 64) =>
        SweepableEstimator.Create<AttentionEncodeSearchOptions>("AttentionEncode+LbfgsMaximumEntropy", (ml, o) =>
        {
            o.LabelColumnName = labelColumnName;
            o.TextColumnName = textColumnName;
            o.MaximumLength = maximumWords;
            return ml.Transforms.AttentionEncode(o.ToOptions())
                .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(labelColumnName, "Embedding"));
        });

    /// <summary>The hierarchical attention network over <see cref="HierarchicalAttentionSearchOptions"/>.</summary>
    public SweepableEstimator HierarchicalAttention(string labelColumnName, string textColumnName) =>
        SweepableEstimator.Create<HierarchicalAttentionSearchOptions>("HierarchicalAttention", (ml, o) =>
        {
            o.LabelColumnName = labelColumnName;
            o.TextColumnName = textColumnName;
            return ml.MulticlassClassification.Trainers.HierarchicalAttention(o.ToOptions());
        });

    /// <summary>ML.NET's <c>FeaturizeText</c> + <c>SdcaMaximumEntropy</c> over <see cref="FeaturizeTextSdcaSearchOptions"/>: the baseline.</summary>
    public SweepableEstimator FeaturizeTextSdca(string labelColumnName, string textColumnName) =>
        SweepableEstimator.Create<FeaturizeTextSdcaSearchOptions>("FeaturizeText+SdcaMaximumEntropy", (ml, o) =>
        {
            var text = new TextFeaturizingEstimator.Options
            {
                WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = o.WordNgramLength, UseAllLengths = true },
                CharFeatureExtractor = o.CharacterNgrams ? new WordBagEstimator.Options { NgramLength = 3, UseAllLengths = false } : null,
            };
            return ml.Transforms.Text.FeaturizeText("FeaturizedText", text, textColumnName)
                .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(labelColumnName, "FeaturizedText", l2Regularization: o.L2Regularization));
        });

    /// <summary>
    /// Text classification: the label mapped to a key, then one of <c>AttentionEncode</c> + L-BFGS, the hierarchical
    /// attention network and <c>FeaturizeText</c> + SDCA per trial, and the predicted label mapped back to its value.
    /// </summary>
    /// <param name="labelColumnName">The label (any type <c>MapValueToKey</c> takes).</param>
    /// <param name="textColumnName">The text (String).</param>
    /// <param name="maximumWords">Words <c>AttentionEncode</c> reads per text (longer texts are cut).</param>
    public SweepablePipeline TextClassification(string labelColumnName = "Label", string textColumnName = "Text", int maximumWords = 64)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(labelColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(textColumnName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maximumWords);
        return new SweepablePipeline(
            [AttentionEncode(labelColumnName, textColumnName, maximumWords), HierarchicalAttention(labelColumnName, textColumnName), FeaturizeTextSdca(labelColumnName, textColumnName)],
            prefix: ml => ml.Transforms.Conversion.MapValueToKey(labelColumnName),
            suffix: ml => ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
    }
}
