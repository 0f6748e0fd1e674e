using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Trains attention over the time steps of a float-vector column (read as steps of <c>StepSize</c> values) against a key
/// label (classification: <c>Score</c> and <c>PredictedLabel</c> for ML.NET's multiclass <c>Evaluate</c>) or a Single
/// label (regression: <c>Score</c> for the regression <c>Evaluate</c>), and on request the weight of every step. Created
/// by <c>mlContext.MulticlassClassification.Trainers.TimeStepAttention</c>, <c>mlContext.Regression.Trainers.TimeStepAttention</c>
/// or <c>mlContext.Attention()</c>.
/// </summary>
public sealed class TimeStepAttentionEstimator : IEstimator<TimeStepAttentionTransformer>
{
    internal const string Owner = "TimeStepAttention";

    private readonly IHostEnvironment _env;
    private readonly TimeStepAttentionOptions _options;

    /// <summary>Validates <paramref name="options"/> once and keeps a copy of them.</summary>
    internal TimeStepAttentionEstimator(IHostEnvironment env, TimeStepAttentionOptions options, bool regression)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _env = env;
        _options = options.Clone();
        Regression = regression;
    }

    /// <summary>True for regression (a Single label, one <c>Score</c>); false for classification (a key label).</summary>
    public bool Regression { get; }

    /// <summary>The options this estimator trains with (a fresh copy on every read).</summary>
    public TimeStepAttentionOptions Options => _options.Clone();

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaShape.Column features = inputSchema.FirstOrDefault(c => c.Name == _options.FeatureColumnName);
        if (features.Name is null)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"{Owner}: feature column '{_options.FeatureColumnName}' not found. Columns: {string.Join(", ", inputSchema.Select(c => c.Name))}.");
        }

        if (features.Kind != SchemaShape.Column.VectorKind.Vector || features.ItemType != NumberDataViewType.Single)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"{Owner}: feature column '{features.Name}' is {features.ItemType} ({features.Kind}); expected a fixed-size vector of Single read as steps of StepSize = {_options.StepSize}.");
        }

        List<OutputColumn> added;
        if (Regression)
        {
            SchemaShape.Column label = inputSchema.FirstOrDefault(c => c.Name == _options.LabelColumnName);
            if (label.Name is null || label.Kind != SchemaShape.Column.VectorKind.Scalar || label.ItemType != NumberDataViewType.Single || label.IsKey)
            {
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"{Owner}: label column '{_options.LabelColumnName}' must be a Single scalar for regression; {(label.Name is null ? "it was not found" : $"it is {label.ItemType}")}.");
            }

            added = [new OutputColumn(ScoreColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false)];
        }
        else
        {
            added = KeyLabel.PredictionOutputs(KeyLabel.Find(inputSchema, _options.LabelColumnName, Owner), ScoreColumnName, PredictedLabelColumnName);
        }

        if (_options.StepAttentionColumnName is { } weights)
        {
            added.Add(new OutputColumn(weights, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false));
        }

        return MLNetInternals.Extend(inputSchema, added);
    }

    /// <summary>Reads the rows, trains the model and returns the transformer.</summary>
    public TimeStepAttentionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        DataViewSchema.Column features = TimeStepReader.FeatureColumn(input.Schema, _options);
        DataViewSchema.Column label = input.Schema.GetColumnOrNull(_options.LabelColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"{Owner}: label column '{_options.LabelColumnName}' not found. Columns: {string.Join(", ", input.Schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        int outputs;
        Func<DataViewRow, long, float> readLabel;
        if (Regression)
        {
            if (label.Type != NumberDataViewType.Single)
            {
                throw new ArgumentOutOfRangeException(nameof(input), $"{Owner}: label column '{label.Name}' has type {label.Type}; regression needs Single.");
            }

            outputs = 1;
            ValueGetter<float>? getter = null;
            readLabel = (row, position) =>
            {
                getter ??= row.GetGetter<float>(label);
                float value = 0;
                getter(ref value);
                return float.IsFinite(value) ? value : throw new InvalidOperationException($"{Owner}: row {position} of label column '{label.Name}' is {value}; every label must be finite.");
            };
        }
        else
        {
            (int classes, Func<DataViewRow, long, int> read) = KeyLabel.Reader(label, Owner);
            outputs = classes;
            readLabel = (row, position) => read(row, position);
        }

        var vectors = new List<float[]>();
        var labels = new List<float>();
        using (DataViewRowCursor cursor = input.GetRowCursor([features, label]))
        {
            Func<float[]> steps = TimeStepReader.Getter(cursor, features, _options);
            while (cursor.MoveNext())
            {
                labels.Add(readLabel(cursor, cursor.Position));
                vectors.Add(steps());
            }
        }

        if (labels.Count == 0)
        {
            throw new InvalidOperationException($"{Owner}: the training data has no rows.");
        }

        IHost host = _env.Register(nameof(TimeStepAttentionEstimator), _options.Seed);
        int seed = _options.Seed ?? host.Rand.Next();
        using IChannel channel = host.Start("Training");
        channel.Info(MessageSensitivity.None, $"{Owner}: {labels.Count} rows of {vectors[0].Length / _options.StepSize} steps × {_options.StepSize}, {(Regression ? "regression" : $"{outputs} classes")}, seed {seed}.");
        TimeStepAttentionModel model = TimeStepAttentionTrainer.Train(_options, outputs, vectors, [.. labels], new Random(seed), report =>
            channel.Info(MessageSensitivity.None, $"{Owner}: epoch {report.Epoch}/{report.Epochs}: train loss {report.TrainLoss:F4}" +
                (report.ValidationLoss is double v ? $", validation loss {v:F4}" : "") + (report.Improved ? " (best so far)" : "")));
        return new TimeStepAttentionTransformer(model, Regression ? null : KeyLabel.Values(label));
    }

    /// <summary>The score column (class probabilities, or the regression value).</summary>
    public const string ScoreColumnName = "Score";

    /// <summary>The predicted class column (classification).</summary>
    public const string PredictedLabelColumnName = "PredictedLabel";
}
