using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Trains the recurrent attention model (Mnih et al. 2014: glimpses, a recurrent core, a Gaussian location policy
/// trained by REINFORCE with a baseline) on a planar pixel column against a key label, and yields a classifier writing
/// <c>Score</c> and <c>PredictedLabel</c> for ML.NET's multiclass <c>Evaluate</c> and, on request, the glimpse locations.
/// Created by <c>mlContext.MulticlassClassification.Trainers.RecurrentAttention</c> or <c>mlContext.Attention().RecurrentAttention</c>.
/// </summary>
public sealed class RecurrentAttentionEstimator : IEstimator<RecurrentAttentionTransformer>
{
    private const string Owner = "RecurrentAttention";

    private readonly IHostEnvironment _env;
    private readonly RecurrentAttentionOptions _options;

    /// <summary>Validates <paramref name="options"/> once and keeps a copy of them.</summary>
    internal RecurrentAttentionEstimator(IHostEnvironment env, RecurrentAttentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _env = env;
        _options = options.Clone();
    }

    /// <summary>The options this estimator trains with (a fresh copy on every read).</summary>
    public RecurrentAttentionOptions Options => _options.Clone();

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ImagePixelReader.CheckSchema(inputSchema, _options.FeatureColumnName, Owner);
        List<OutputColumn> added = KeyLabel.PredictionOutputs(
            KeyLabel.Find(inputSchema, _options.LabelColumnName, Owner), ImageAttentionEstimator.ScoreColumnName, ImageAttentionEstimator.PredictedLabelColumnName);
        if (_options.LocationsColumnName is { } locations)
        {
            added.Add(new OutputColumn(locations, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false));
        }

        return MLNetInternals.Extend(inputSchema, added);
    }

    /// <summary>Reads the images, trains the model and returns the transformer.</summary>
    public RecurrentAttentionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        (ImageDataset data, int classes, string[]? labelValues) = ImagePixelReader.ReadTraining(input, _options.FeatureColumnName, _options.LabelColumnName, _options.Shape, Owner);
        IHost host = _env.Register(nameof(RecurrentAttentionEstimator), _options.Seed);
        int seed = _options.Seed ?? host.Rand.Next();
        using IChannel channel = host.Start("Training");
        channel.Info(MessageSensitivity.None, $"{Owner}: {data.Count} images of {data.Shape}, {classes} classes, {_options.Glimpses} glimpses of {_options.Scales}×{_options.PatchSize}², seed {seed}.");
        RecurrentAttentionNetwork model = RecurrentAttentionTrainer.Train(_options, classes, data, new Random(seed), report =>
            channel.Info(MessageSensitivity.None, $"{Owner}: epoch {report.Epoch}/{report.Epochs}: train loss {report.TrainLoss:F4}"));
        return new RecurrentAttentionTransformer(model, labelValues);
    }
}
