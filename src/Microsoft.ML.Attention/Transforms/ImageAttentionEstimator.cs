using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Trains an image attention network (convolution stages with SE, ECA or CBAM blocks, optionally a spatial transformer)
/// on a planar pixel column against a key label. As a classifier (<c>mlContext.MulticlassClassification.Trainers.ImageAttention</c>)
/// it yields <c>Score</c> and <c>PredictedLabel</c>, the columns ML.NET's multiclass <c>Evaluate</c> reads; as a
/// featurizer (<c>mlContext.Transforms.ImageAttentionFeaturize</c>) it yields the network's embedding, for a standard
/// ML.NET trainer to follow. Either can add the last stage's spatial map.
/// </summary>
public sealed class ImageAttentionEstimator : IEstimator<ImageAttentionTransformer>
{
    /// <summary>The class probabilities column.</summary>
    public const string ScoreColumnName = "Score";

    /// <summary>The predicted class column.</summary>
    public const string PredictedLabelColumnName = "PredictedLabel";

    private const string Owner = "ImageAttention";

    private readonly IHostEnvironment _env;
    private readonly ImageAttentionOptions _options;

    /// <summary>Validates <paramref name="options"/> once and keeps a copy of them.</summary>
    internal ImageAttentionEstimator(IHostEnvironment env, ImageAttentionOptions options, bool featurizer)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _env = env;
        _options = options.Clone();
        Featurizer = featurizer;
    }

    /// <summary>True for the featurizer (embedding column); false for the classifier (Score, PredictedLabel).</summary>
    public bool Featurizer { get; }

    /// <summary>The options this estimator trains with (a fresh copy on every read).</summary>
    public ImageAttentionOptions Options => _options.Clone();

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ImagePixelReader.CheckSchema(inputSchema, _options.FeatureColumnName, Owner);
        SchemaShape.Column label = KeyLabel.Find(inputSchema, _options.LabelColumnName, Owner);
        List<OutputColumn> added = Featurizer
            ? [new(_options.EmbeddingColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false)]
            : KeyLabel.PredictionOutputs(label, ScoreColumnName, PredictedLabelColumnName);
        if (_options.AttentionMapColumnName is { } map)
        {
            added.Add(new OutputColumn(map, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false));
        }

        return MLNetInternals.Extend(inputSchema, added);
    }

    /// <summary>Reads the images, trains the network and returns the transformer.</summary>
    public ImageAttentionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        (ImageDataset data, int classes, string[]? labelValues) = ImagePixelReader.ReadTraining(input, _options.FeatureColumnName, _options.LabelColumnName, _options.Shape, Owner);
        _options.CheckFits(data.Shape, _options.FeatureColumnName);
        IHost host = _env.Register(nameof(ImageAttentionEstimator), _options.Seed);
        int seed = _options.Seed ?? host.Rand.Next();
        using IChannel channel = host.Start("Training");
        channel.Info(MessageSensitivity.None, $"{Owner}: {data.Count} images of {data.Shape}, {classes} classes, attention {_options.Attention}, seed {seed}.");
        var history = new List<EpochReport>();
        ImageAttentionNetwork model = ImageAttentionTrainer.Train(_options, classes, data, new Random(seed), report =>
        {
            history.Add(report);
            channel.Info(MessageSensitivity.None, $"{Owner}: epoch {report.Epoch}/{report.Epochs}: train loss {report.TrainLoss:F4}" +
                (report.ValidationLoss is double v ? $", validation loss {v:F4}" : "") + (report.Improved ? " (best so far)" : ""));
        });
        return new ImageAttentionTransformer(model, labelValues, Featurizer) { TrainingHistory = history };
    }
}
