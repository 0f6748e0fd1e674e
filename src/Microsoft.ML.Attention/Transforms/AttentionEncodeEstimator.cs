using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Trains a transformer encoder with attention pooling on a text column (words mapped to a vocabulary built at
/// <see cref="Fit"/>) or a float vector column (read as fixed-size steps) against a label, and yields a transformer
/// that outputs the pooled embedding. Labels: a key column (classification, e.g. from <c>MapValueToKey</c>),
/// Boolean (two classes) or Single (regression). Created by <c>mlContext.Transforms.AttentionEncode</c>.
/// </summary>
public sealed class AttentionEncodeEstimator : IEstimator<AttentionEncodeTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly string _labelColumnName;
    private readonly AttentionEncodeOptions _options;
    private readonly AttentionEncodeSettings _settings;

    internal AttentionEncodeEstimator(IHostEnvironment env, string outputColumnName, string inputColumnName, string labelColumnName, AttentionEncodeOptions options)
    {
        _env = env;
        _labelColumnName = labelColumnName;
        _options = options;
        _settings = new AttentionEncodeSettings(outputColumnName, inputColumnName, options.MaximumLength, options.TruncateLongText, options.StepSize,
            options.AttentionWeightsColumnName, options.TokensColumnName);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaShape.Column input = Find(inputSchema, _settings.InputColumnName, "input");
        bool text = input.Kind == SchemaShape.Column.VectorKind.Scalar && input.ItemType is TextDataViewType;
        bool vector = input.Kind == SchemaShape.Column.VectorKind.Vector && input.ItemType == NumberDataViewType.Single;
        if (_settings.IsTextInput ? !text : !vector)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), _settings.IsTextInput
                ? $"AttentionEncode: input column '{input.Name}' is {Describe(input)}; expected String (text), or set StepSize for a fixed-size float vector."
                : $"AttentionEncode: input column '{input.Name}' is {Describe(input)}; expected a fixed-size Vector<Single> read as steps of StepSize = {_settings.StepSize}.");
        }

        SchemaShape.Column label = Find(inputSchema, _labelColumnName, "label");
        bool labelOk = label.Kind == SchemaShape.Column.VectorKind.Scalar
            && (label.IsKey || label.ItemType is BooleanDataViewType || label.ItemType == NumberDataViewType.Single);
        if (!labelOk)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"AttentionEncode: label column '{label.Name}' is {Describe(label)}; expected a key (use MapValueToKey for classes), Boolean, or Single (regression).");
        }

        var columns = inputSchema.Where(c => c.Name != _settings.OutputColumnName && c.Name != _settings.AttentionWeightsColumnName && c.Name != _settings.TokensColumnName).ToList();
        columns.Add(MLNetInternals.CreateColumn(_settings.OutputColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false));
        if (_settings.AttentionWeightsColumnName is not null)
        {
            columns.Add(MLNetInternals.CreateColumn(_settings.AttentionWeightsColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false));
        }

        if (_settings.TokensColumnName is not null)
        {
            columns.Add(MLNetInternals.CreateColumn(_settings.TokensColumnName, SchemaShape.Column.VectorKind.VariableVector, TextDataViewType.Instance, false));
        }

        return new SchemaShape(columns);
    }

    /// <summary>Reads the training rows, builds the vocabulary, trains the model and returns the transformer.</summary>
    public AttentionEncodeTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        DataViewSchema.Column source = input.Schema.GetColumnOrNull(_settings.InputColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"AttentionEncode: input column '{_settings.InputColumnName}' not found. Columns: {string.Join(", ", input.Schema.Select(c => c.Name))}.");
        AttentionEncodeTransformer.CheckInputType(source, _settings);
        DataViewSchema.Column label = input.Schema.GetColumnOrNull(_labelColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"AttentionEncode: label column '{_labelColumnName}' not found. Columns: {string.Join(", ", input.Schema.Select(c => c.Name))}.");
        (int outputs, Func<DataViewRow, long, float> readLabel) = LabelReader(label);

        var reader = new SequenceReader(_settings, null);
        var words = new List<string[]>();
        var vectors = new List<float[]>();
        var labels = new List<float>();
        using (DataViewRowCursor cursor = input.GetRowCursor([source, label]))
        {
            ValueGetter<ReadOnlyMemory<char>>? textGetter = _settings.IsTextInput ? cursor.GetGetter<ReadOnlyMemory<char>>(source) : null;
            ValueGetter<VBuffer<float>>? vectorGetter = _settings.IsTextInput ? null : cursor.GetGetter<VBuffer<float>>(source);
            ReadOnlyMemory<char> text = default;
            VBuffer<float> vector = default;
            while (cursor.MoveNext())
            {
                if (textGetter is not null)
                {
                    textGetter(ref text);
                    words.Add(reader.Words(text, cursor.Position));
                }
                else
                {
                    vectorGetter!(ref vector);
                    vectors.Add(reader.Steps(vector, cursor.Position));
                }

                labels.Add(readLabel(cursor, cursor.Position));
            }
        }

        if (labels.Count == 0)
        {
            throw new InvalidOperationException($"AttentionEncode: the training data has no rows.");
        }

        Vocabulary? vocabulary = _settings.IsTextInput ? Vocabulary.Build(words, _options.VocabularySize) : null;
        SequenceDataset data = vocabulary is not null
            ? SequenceDataset.FromTokens([.. words.Select(vocabulary.Encode)], [.. labels])
            : SequenceDataset.FromVectors(vectors, _settings.StepSize, [.. labels]);
        var config = new AttentionEncoderConfig(vocabulary?.Count ?? 0, _settings.StepSize, _settings.MaximumLength, _options.ModelDimension, _options.Heads,
            _options.Layers, _options.FeedForwardDimension, _options.Dropout, outputs);
        var training = new AttentionEncoderTrainingOptions
        {
            Epochs = _options.Epochs,
            BatchSize = _options.BatchSize,
            LearningRate = _options.LearningRate,
            ValidationFraction = _options.ValidationFraction,
            EarlyStoppingPatience = _options.EarlyStoppingPatience,
        };
        IHost host = _env.Register(nameof(AttentionEncodeEstimator), _options.Seed);
        int seed = _options.Seed ?? host.Rand.Next();
        using IChannel channel = host.Start("Training");
        channel.Info(MessageSensitivity.None, $"AttentionEncode: {labels.Count} rows, {(vocabulary is null ? $"steps of {_settings.StepSize}" : $"vocabulary {vocabulary.Count}")}, {(outputs > 1 ? $"{outputs} classes" : "regression")}.");
        AttentionEncoderModel model = AttentionEncoderTrainer.Train(config, data, training, new Random(seed), report =>
            channel.Info(MessageSensitivity.None, $"AttentionEncode: epoch {report.Epoch}/{report.Epochs}: train loss {report.TrainLoss:F4}" +
                (report.ValidationLoss is double v ? $", validation loss {v:F4}" : "") + (report.Improved ? " (best so far)" : "")));
        return new AttentionEncodeTransformer(_settings, model, vocabulary);
    }

    private static (int Outputs, Func<DataViewRow, long, float> Read) LabelReader(DataViewSchema.Column label)
    {
        string name = label.Name;
        switch (label.Type)
        {
            case KeyDataViewType key:
                if (key.Count < 2 || key.Count > int.MaxValue)
                {
                    throw new ArgumentOutOfRangeException(nameof(label), $"AttentionEncode: label column '{name}' is a key with {key.Count} values; classification needs at least 2.");
                }

                ValueGetter<uint>? keyGetter = null;
                return ((int)key.Count, (row, position) =>
                {
                    keyGetter ??= row.GetGetter<uint>(label);
                    uint k = 0;
                    keyGetter(ref k);
                    return k == 0 || k > key.Count
                        ? throw new InvalidOperationException($"AttentionEncode: row {position} has a missing label in column '{name}' (key 0, a value not seen by MapValueToKey).")
                        : k - 1;
                });
            case BooleanDataViewType:
                ValueGetter<bool>? boolGetter = null;
                return (2, (row, _) =>
                {
                    boolGetter ??= row.GetGetter<bool>(label);
                    bool b = false;
                    boolGetter(ref b);
                    return b ? 1 : 0;
                });
            case NumberDataViewType when label.Type == NumberDataViewType.Single:
                ValueGetter<float>? floatGetter = null;
                return (1, (row, position) =>
                {
                    floatGetter ??= row.GetGetter<float>(label);
                    float f = 0;
                    floatGetter(ref f);
                    return float.IsFinite(f) ? f : throw new InvalidOperationException($"AttentionEncode: row {position} has label {f} in column '{name}'; regression labels must be finite.");
                });
            default:
                throw new ArgumentOutOfRangeException(nameof(label), $"AttentionEncode: label column '{name}' has type {label.Type}; expected a key (use MapValueToKey for classes), Boolean, or Single (regression).");
        }
    }

    private static SchemaShape.Column Find(SchemaShape schema, string name, string role)
    {
        SchemaShape.Column column = schema.FirstOrDefault(c => c.Name == name);
        if (column.Name is null)
        {
            throw new ArgumentOutOfRangeException(nameof(schema), $"AttentionEncode: {role} column '{name}' not found. Columns: {string.Join(", ", schema.Select(c => c.Name))}.");
        }

        return column;
    }

    private static string Describe(SchemaShape.Column c) =>
        (c.IsKey ? "Key<" + c.ItemType + ">" : c.ItemType?.ToString() ?? "?") + c.Kind switch
        {
            SchemaShape.Column.VectorKind.Vector => " vector",
            SchemaShape.Column.VectorKind.VariableVector => " variable-size vector",
            _ => "",
        };
}
