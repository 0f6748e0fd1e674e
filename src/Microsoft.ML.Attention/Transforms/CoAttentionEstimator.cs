using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Trains a co-attention text-pair classifier on two text columns against a Boolean label and yields a transformer
/// writing <c>Score</c> (the logit), <c>Probability</c> and a Boolean <c>PredictedLabel</c>, the columns ML.NET's binary
/// <c>Evaluate</c> reads, and on request both co-attention matrices and the words they refer to. Created by
/// <c>mlContext.BinaryClassification.Trainers.CoAttention</c> or <c>mlContext.Attention().CoAttention</c>.
/// </summary>
public sealed class CoAttentionEstimator : IEstimator<CoAttentionTransformer>
{
    internal const string Owner = "CoAttention";

    private readonly IHostEnvironment _env;
    private readonly CoAttentionOptions _options;

    /// <summary>Validates <paramref name="options"/> once and keeps a copy of them.</summary>
    internal CoAttentionEstimator(IHostEnvironment env, CoAttentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _env = env;
        _options = options.Clone();
    }

    /// <summary>The options this estimator trains with (a fresh copy on every read).</summary>
    public CoAttentionOptions Options => _options.Clone();

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach ((string name, string role) in new[] { (_options.FirstColumnName, "first text"), (_options.SecondColumnName, "second text") })
        {
            SchemaShape.Column text = inputSchema.FirstOrDefault(c => c.Name == name);
            if (text.Name is null || text.Kind != SchemaShape.Column.VectorKind.Scalar || text.ItemType is not TextDataViewType)
            {
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"{Owner}: {role} column '{name}' {(text.Name is null ? "not found" : $"is {text.ItemType}")}; expected String.");
            }
        }

        SchemaShape.Column label = inputSchema.FirstOrDefault(c => c.Name == _options.LabelColumnName);
        if (label.Name is null || label.Kind != SchemaShape.Column.VectorKind.Scalar || label.ItemType is not BooleanDataViewType)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"{Owner}: label column '{_options.LabelColumnName}' {(label.Name is null ? "not found" : $"is {label.ItemType}")}; expected Boolean.");
        }

        var added = new List<OutputColumn>
        {
            new(ScoreColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false),
            new(ProbabilityColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false),
            new(PredictedLabelColumnName, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false),
        };
        foreach ((string? name, DataViewType item) in CoAttentionTransformer.ExtraColumns(_options))
        {
            added.Add(new OutputColumn(name!, SchemaShape.Column.VectorKind.VariableVector, item, false));
        }

        return MLNetInternals.Extend(inputSchema, added);
    }

    /// <summary>Reads the pairs, builds the vocabulary, trains the model and returns the transformer.</summary>
    public CoAttentionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        DataViewSchema.Column first = CoAttentionTransformer.TextColumn(input.Schema, _options.FirstColumnName, "first text");
        DataViewSchema.Column second = CoAttentionTransformer.TextColumn(input.Schema, _options.SecondColumnName, "second text");
        DataViewSchema.Column label = input.Schema.GetColumnOrNull(_options.LabelColumnName) is { Type: BooleanDataViewType } l
            ? l
            : throw new ArgumentOutOfRangeException(nameof(input), $"{Owner}: label column '{_options.LabelColumnName}' is missing or not Boolean.");
        var firsts = new List<string[]>();
        var seconds = new List<string[]>();
        var labels = new List<bool>();
        using (DataViewRowCursor cursor = input.GetRowCursor([first, second, label]))
        {
            ValueGetter<ReadOnlyMemory<char>> a = cursor.GetGetter<ReadOnlyMemory<char>>(first), b = cursor.GetGetter<ReadOnlyMemory<char>>(second);
            ValueGetter<bool> y = cursor.GetGetter<bool>(label);
            ReadOnlyMemory<char> text = default;
            bool value = false;
            while (cursor.MoveNext())
            {
                a(ref text);
                firsts.Add(CoAttentionTransformer.Words(_options, text, _options.FirstColumnName, cursor.Position));
                b(ref text);
                seconds.Add(CoAttentionTransformer.Words(_options, text, _options.SecondColumnName, cursor.Position));
                y(ref value);
                labels.Add(value);
            }
        }

        if (labels.Count == 0)
        {
            throw new InvalidOperationException($"{Owner}: the training data has no rows.");
        }

        Vocabulary vocabulary = Vocabulary.Build(firsts.Concat(seconds), _options.MaximumVocabularySize, _options.MinimumWordCount);
        IHost host = _env.Register(nameof(CoAttentionEstimator), _options.Seed);
        int seed = _options.Seed ?? host.Rand.Next();
        using IChannel channel = host.Start("Training");
        channel.Info(MessageSensitivity.None, $"{Owner}: {labels.Count} pairs, vocabulary {vocabulary.Count}, seed {seed}.");
        CoAttentionPairModel model = CoAttentionTrainer.Train(_options, vocabulary.Count, [.. firsts.Select(vocabulary.Encode)], [.. seconds.Select(vocabulary.Encode)], [.. labels], new Random(seed), report =>
            channel.Info(MessageSensitivity.None, $"{Owner}: epoch {report.Epoch}/{report.Epochs}: train loss {report.TrainLoss:F4}" +
                (report.ValidationLoss is double v ? $", validation loss {v:F4}" : "") + (report.Improved ? " (best so far)" : "")));
        return new CoAttentionTransformer(model, vocabulary);
    }

    /// <summary>The logit column.</summary>
    public const string ScoreColumnName = "Score";

    /// <summary>The probability column.</summary>
    public const string ProbabilityColumnName = "Probability";

    /// <summary>The predicted label column.</summary>
    public const string PredictedLabelColumnName = "PredictedLabel";
}
