using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Trains a transformer encoder with attention pooling on a text column (words mapped to a vocabulary built at
/// <see cref="Fit"/>) or a float vector column (read as fixed-size steps) against a label, and yields a transformer
/// that outputs the pooled embedding. Labels: a key column (classification, e.g. from <c>MapValueToKey</c>),
/// Boolean (two classes) or Single (regression). Created by <c>mlContext.Transforms.AttentionEncode</c> or <c>mlContext.Attention().AttentionEncode</c>.
/// </summary>
public sealed class AttentionEncodeEstimator : IEstimator<AttentionEncodeTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly AttentionEncodeOptions _options;

    /// <summary>Validates <paramref name="options"/> once and keeps a copy of them.</summary>
    internal AttentionEncodeEstimator(IHostEnvironment env, AttentionEncodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _env = env;
        _options = options.Clone();
    }

    /// <summary>The options this estimator trains with (a fresh copy on every read).</summary>
    public AttentionEncodeOptions Options => _options.Clone();

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaShape.Column input = Find(inputSchema, _options.InputColumnName, "input");
        bool text = input.Kind == SchemaShape.Column.VectorKind.Scalar && input.ItemType is TextDataViewType;
        bool vector = input.Kind == SchemaShape.Column.VectorKind.Vector && input.ItemType == NumberDataViewType.Single;
        if (_options.IsTextInput ? !text : !vector)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), _options.IsTextInput
                ? $"AttentionEncode: input column '{input.Name}' is {Describe(input)}; expected String (text), or set StepSize for a fixed-size float vector."
                : $"AttentionEncode: input column '{input.Name}' is {Describe(input)}; expected a fixed-size Vector<Single> read as steps of StepSize = {_options.StepSize}.");
        }

        SchemaShape.Column label = Find(inputSchema, _options.LabelColumnName, "label");
        bool labelOk = label.Kind == SchemaShape.Column.VectorKind.Scalar
            && (label.IsKey || label.ItemType is BooleanDataViewType || label.ItemType == NumberDataViewType.Single);
        if (!labelOk)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"AttentionEncode: label column '{label.Name}' is {Describe(label)}; expected a key (use MapValueToKey for classes), Boolean, or Single (regression).");
        }

        var added = new List<OutputColumn> { new(_options.OutputColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, HasSlotNames: true) };
        if (_options.AttentionWeightsColumnName is not null)
        {
            added.Add(new OutputColumn(_options.AttentionWeightsColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false));
        }

        if (_options.TokensColumnName is not null)
        {
            added.Add(new OutputColumn(_options.TokensColumnName, SchemaShape.Column.VectorKind.VariableVector, TextDataViewType.Instance, false));
        }

        return MLNetInternals.Extend(inputSchema, added);
    }

    /// <summary>Reads the training rows, builds the vocabulary, trains the model and returns the transformer.</summary>
    public AttentionEncodeTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        DataViewSchema.Column source = input.Schema.GetColumnOrNull(_options.InputColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"AttentionEncode: input column '{_options.InputColumnName}' not found. Columns: {string.Join(", ", input.Schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        AttentionEncodeTransformer.CheckInputType(source, _options);
        DataViewSchema.Column label = input.Schema.GetColumnOrNull(_options.LabelColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"AttentionEncode: label column '{_options.LabelColumnName}' not found. Columns: {string.Join(", ", input.Schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        (int outputs, Func<DataViewRow, long, float> readLabel) = LabelReader(label);

        var reader = new SequenceReader(_options, null);
        var words = new List<string[]>();
        var vectors = new List<float[]>();
        var labels = new List<float>();
        using (DataViewRowCursor cursor = input.GetRowCursor([source, label]))
        {
            ValueGetter<ReadOnlyMemory<char>>? textGetter = _options.IsTextInput ? cursor.GetGetter<ReadOnlyMemory<char>>(source) : null;
            ValueGetter<VBuffer<float>>? vectorGetter = _options.IsTextInput ? null : cursor.GetGetter<VBuffer<float>>(source);
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

        Vocabulary? vocabulary = _options.IsTextInput ? Vocabulary.Build(words, _options.VocabularySize) : null;
        SequenceDataset data = vocabulary is not null
            ? SequenceDataset.FromTokens([.. words.Select(vocabulary.Encode)], [.. labels])
            : SequenceDataset.FromVectors(vectors, _options.StepSize, [.. labels]);

        // The seed and the log are the context's: a host registered on it draws from the MLContext's seeded generator,
        // and its channel's messages reach mlContext.Log.
        IHost host = _env.Register(nameof(AttentionEncodeEstimator), _options.Seed);
        int seed = _options.Seed ?? host.Rand.Next();
        using IChannel channel = host.Start("Training");
        channel.Info(MessageSensitivity.None, $"AttentionEncode: {labels.Count} rows, {(vocabulary is null ? $"steps of {_options.StepSize}" : $"vocabulary {vocabulary.Count}")}, {(outputs > 1 ? $"{outputs} classes" : "regression")}, seed {seed}.");
        var history = new List<EpochReport>();
        AttentionEncoderModel model = AttentionEncoderTrainer.Train(_options, vocabulary?.Count ?? 0, outputs, data, new Random(seed), report =>
        {
            history.Add(report);
            channel.Info(MessageSensitivity.None, $"AttentionEncode: epoch {report.Epoch}/{report.Epochs}: train loss {report.TrainLoss:F4}" +
                (report.ValidationLoss is double v ? $", validation loss {v:F4}" : "") + (report.Improved ? " (best so far)" : ""));
        });
        return new AttentionEncodeTransformer(model, vocabulary) { TrainingHistory = history };
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
