using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Trains a hierarchical attention network (word and sentence attention) on a document text column against a key
/// label and yields a transformer that scores documents: <c>Score</c> (class probabilities) and <c>PredictedLabel</c>
/// (a key with the label's values), the columns ML.NET's multiclass <c>Evaluate</c> reads, and on request the
/// attention of every sentence and word. Created by <c>mlContext.MulticlassClassification.Trainers.HierarchicalAttention</c>
/// or <c>mlContext.Attention().HierarchicalAttention</c>.
/// </summary>
public sealed class HierarchicalAttentionEstimator : IEstimator<HierarchicalAttentionTransformer>
{
    /// <summary>The class probabilities column.</summary>
    public const string ScoreColumnName = "Score";

    /// <summary>The predicted class column.</summary>
    public const string PredictedLabelColumnName = "PredictedLabel";

    /// <summary>The probability of the positive class (binary classification).</summary>
    public const string ProbabilityColumnName = "Probability";

    private readonly IHostEnvironment _env;
    private readonly HierarchicalAttentionOptions _options;

    /// <summary>Validates <paramref name="options"/> once and keeps a copy of them.</summary>
    internal HierarchicalAttentionEstimator(IHostEnvironment env, HierarchicalAttentionOptions options, bool binary = false)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _env = env;
        _options = options.Clone();
        Binary = binary;
    }

    /// <summary>
    /// True for binary classification (a Boolean label; <c>Score</c> the logit, <c>Probability</c>, a Boolean
    /// <c>PredictedLabel</c>, as ML.NET's binary <c>Evaluate</c> reads them); false for multiclass (a key label).
    /// </summary>
    public bool Binary { get; }

    /// <summary>The options this estimator trains with (a fresh copy on every read).</summary>
    public HierarchicalAttentionOptions Options => _options.Clone();

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaShape.Column text = Find(inputSchema, _options.TextColumnName, "text");
        if (text.Kind != SchemaShape.Column.VectorKind.Scalar || text.ItemType is not TextDataViewType)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"HierarchicalAttention: text column '{text.Name}' is {text.ItemType}{(text.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : " vector")}; expected String.");
        }

        SchemaShape.Column label = Find(inputSchema, _options.LabelColumnName, "label");
        bool labelOk = label.Kind == SchemaShape.Column.VectorKind.Scalar && (Binary ? label.ItemType is BooleanDataViewType && !label.IsKey : label.IsKey);
        if (!labelOk)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"HierarchicalAttention: label column '{label.Name}' is {label.ItemType}{(label.IsKey ? " key" : "")}; expected {ExpectedLabel}.");
        }

        var added = Binary
            ? new List<OutputColumn>
            {
                new(ScoreColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false),
                new(ProbabilityColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false),
                new(PredictedLabelColumnName, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false),
            }
            : KeyLabel.PredictionOutputs(label, ScoreColumnName, PredictedLabelColumnName);
        AddVariable(added, _options.SentenceAttentionColumnName, NumberDataViewType.Single);
        AddVariable(added, _options.SentencesColumnName, TextDataViewType.Instance);
        AddVariable(added, _options.WordAttentionColumnName, NumberDataViewType.Single);
        AddVariable(added, _options.WordsColumnName, TextDataViewType.Instance);
        return MLNetInternals.Extend(inputSchema, added);
    }

    /// <summary>Reads the documents, builds the vocabulary, trains the network and returns the transformer.</summary>
    public HierarchicalAttentionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        DataViewSchema.Column text = input.Schema.GetColumnOrNull(_options.TextColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"HierarchicalAttention: text column '{_options.TextColumnName}' not found. Columns: {string.Join(", ", input.Schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        HierarchicalAttentionTransformer.CheckText(text);
        DataViewSchema.Column label = input.Schema.GetColumnOrNull(_options.LabelColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"HierarchicalAttention: label column '{_options.LabelColumnName}' not found. Columns: {string.Join(", ", input.Schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        (int classes, Func<DataViewRow, long, int> readLabel) = LabelReader(label);

        var reader = new DocumentReader(_options, null);
        var documents = new List<List<string[]>>();
        var labels = new List<int>();
        using (DataViewRowCursor cursor = input.GetRowCursor([text, label]))
        {
            ValueGetter<ReadOnlyMemory<char>> textGetter = cursor.GetGetter<ReadOnlyMemory<char>>(text);
            ReadOnlyMemory<char> value = default;
            while (cursor.MoveNext())
            {
                textGetter(ref value);
                labels.Add(readLabel(cursor, cursor.Position));
                documents.Add(reader.Sentences(value, cursor.Position));
            }
        }

        if (labels.Count == 0)
        {
            throw new InvalidOperationException("HierarchicalAttention: the training data has no rows.");
        }

        Vocabulary vocabulary = Vocabulary.Build(documents.Select(d => d.SelectMany(s => s)), _options.MaximumVocabularySize, _options.MinimumWordCount);
        Dictionary<int, float[]>? pretrained = _options.PretrainedEmbeddingsPath is { } path
            ? EmbeddingFile.Read(path, vocabulary, _options.EmbeddingDimension)
            : null;
        var encoder = new DocumentReader(_options, vocabulary);
        var data = new DocumentDataset([.. documents.Select(encoder.Encode)], [.. labels]);
        IHost host = _env.Register(nameof(HierarchicalAttentionEstimator), _options.Seed);
        int seed = _options.Seed ?? host.Rand.Next();
        using IChannel channel = host.Start("Training");
        channel.Info(MessageSensitivity.None, $"HierarchicalAttention: {labels.Count} documents, vocabulary {vocabulary.Count}" +
            (pretrained is null ? "" : $" ({pretrained.Count} with pretrained vectors)") + $", {classes} classes, seed {seed}.");
        var history = new List<EpochReport>();
        HierarchicalAttentionModel model = HierarchicalAttentionTrainer.Train(_options, vocabulary.Count, classes, data, new Random(seed), report =>
        {
            history.Add(report);
            channel.Info(MessageSensitivity.None, $"HierarchicalAttention: epoch {report.Epoch}/{report.Epochs}: train loss {report.TrainLoss:F4}" +
                (report.ValidationLoss is double v ? $", validation loss {v:F4}" : "") + (report.Improved ? " (best so far)" : ""));
        }, pretrained);
        return new HierarchicalAttentionTransformer(model, vocabulary, Binary ? null : KeyLabel.Values(label), Binary) { TrainingHistory = history };
    }

    private string ExpectedLabel => Binary ? "Boolean (binary classification)" : "a key (use MapValueToKey for classes)";

    /// <summary>The number of classes and a reader of each row's class index, refusing a missing value by row.</summary>
    private (int Classes, Func<DataViewRow, long, int> Read) LabelReader(DataViewSchema.Column label)
    {
        string name = label.Name;
        if (Binary && label.Type is BooleanDataViewType)
        {
            ValueGetter<bool>? getter = null;
            return (2, (row, _) =>
            {
                getter ??= row.GetGetter<bool>(label);
                bool b = false;
                getter(ref b);
                return b ? 1 : 0;
            });
        }

        if (!Binary && label.Type is KeyDataViewType)
        {
            return KeyLabel.Reader(label, "HierarchicalAttention");
        }

        throw new ArgumentOutOfRangeException(nameof(label), $"HierarchicalAttention: label column '{name}' has type {label.Type}; expected {ExpectedLabel}.");
    }

    private static void AddVariable(List<OutputColumn> added, string? name, DataViewType item)
    {
        if (name is not null)
        {
            added.Add(new OutputColumn(name, SchemaShape.Column.VectorKind.VariableVector, item, false));
        }
    }

    private static SchemaShape.Column Find(SchemaShape schema, string name, string role)
    {
        SchemaShape.Column column = schema.FirstOrDefault(c => c.Name == name);
        return column.Name is null
            ? throw new ArgumentOutOfRangeException(nameof(schema), $"HierarchicalAttention: {role} column '{name}' not found. Columns: {string.Join(", ", schema.Select(c => c.Name))}.")
            : column;
    }
}
