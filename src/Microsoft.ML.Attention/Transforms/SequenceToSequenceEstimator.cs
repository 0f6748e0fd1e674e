using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Trains an encoder–decoder with attention at <c>Fit</c> on a source and a target text column (teacher forcing) and
/// yields a transformer that writes the predicted text of every source and, on request, the alignment (every output
/// token's attention over the source tokens) and the tokens of both sides. Created by
/// <c>mlContext.Transforms.SequenceToSequence</c> or <c>mlContext.Attention().SequenceToSequence</c>.
/// </summary>
public sealed class SequenceToSequenceEstimator : IEstimator<SequenceToSequenceTransformer>
{
    internal const string Owner = "SequenceToSequence";

    private readonly IHostEnvironment _env;
    private readonly SequenceToSequenceOptions _options;

    /// <summary>Validates <paramref name="options"/> once and keeps a copy of them.</summary>
    internal SequenceToSequenceEstimator(IHostEnvironment env, SequenceToSequenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _env = env;
        _options = options.Clone();
    }

    /// <summary>The options this estimator trains with (a fresh copy on every read).</summary>
    public SequenceToSequenceOptions Options => _options.Clone();

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckText(inputSchema, _options.SourceColumnName, "source");
        CheckText(inputSchema, _options.TargetColumnName, "target");
        var added = new List<OutputColumn> { new(_options.OutputColumnName, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false) };
        if (_options.AlignmentColumnName is { } alignment)
        {
            added.Add(new OutputColumn(alignment, SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Single, false));
        }

        foreach (string? tokens in new[] { _options.SourceTokensColumnName, _options.OutputTokensColumnName })
        {
            if (tokens is not null)
            {
                added.Add(new OutputColumn(tokens, SchemaShape.Column.VectorKind.VariableVector, TextDataViewType.Instance, false));
            }
        }

        return MLNetInternals.Extend(inputSchema, added);
    }

    /// <summary>Reads the pairs, builds both vocabularies, trains the model and returns the transformer.</summary>
    public SequenceToSequenceTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        DataViewSchema.Column source = SequenceTextReader.TextColumn(input.Schema, _options.SourceColumnName, "source");
        DataViewSchema.Column target = SequenceTextReader.TextColumn(input.Schema, _options.TargetColumnName, "target");
        var reader = new SequenceTextReader(_options);
        var sources = new List<string[]>();
        var targets = new List<string[]>();
        using (DataViewRowCursor cursor = input.GetRowCursor([source, target]))
        {
            ValueGetter<ReadOnlyMemory<char>> sourceGetter = cursor.GetGetter<ReadOnlyMemory<char>>(source);
            ValueGetter<ReadOnlyMemory<char>> targetGetter = cursor.GetGetter<ReadOnlyMemory<char>>(target);
            ReadOnlyMemory<char> value = default;
            while (cursor.MoveNext())
            {
                sourceGetter(ref value);
                sources.Add(reader.Source(value, cursor.Position));
                targetGetter(ref value);
                targets.Add(reader.Target(value, cursor.Position));
            }
        }

        if (sources.Count == 0)
        {
            throw new InvalidOperationException($"{Owner}: the training data has no rows.");
        }

        string[] markers = ["<s>", "</s>"];
        Vocabulary sourceVocabulary = Vocabulary.Build(sources, _options.MaximumVocabularySize, _options.MinimumTokenCount, markers);
        Vocabulary targetVocabulary = Vocabulary.Build(targets, _options.MaximumVocabularySize, _options.MinimumTokenCount, markers);
        var data = new SequencePairDataset([.. sources.Select(sourceVocabulary.Encode)], [.. targets.Select(targetVocabulary.Encode)]);
        IHost host = _env.Register(nameof(SequenceToSequenceEstimator), _options.Seed);
        int seed = _options.Seed ?? host.Rand.Next();
        using IChannel channel = host.Start("Training");
        channel.Info(MessageSensitivity.None, $"{Owner}: {data.Count} pairs, vocabularies {sourceVocabulary.Count} (source) and {targetVocabulary.Count} (target) {_options.Unit.ToString().ToLowerInvariant()}s, {_options.Attention} attention, seed {seed}.");
        SequenceToSequenceModel model = SequenceToSequenceTrainer.Train(_options, sourceVocabulary.Count, targetVocabulary.Count, data, new Random(seed), report =>
            channel.Info(MessageSensitivity.None, $"{Owner}: epoch {report.Epoch}/{report.Epochs}: train loss {report.TrainLoss:F4}" +
                (report.ValidationLoss is double v ? $", validation loss {v:F4}" : "") + (report.Improved ? " (best so far)" : "")));
        return new SequenceToSequenceTransformer(model, sourceVocabulary, targetVocabulary);
    }

    private static void CheckText(SchemaShape schema, string name, string role)
    {
        SchemaShape.Column column = schema.FirstOrDefault(c => c.Name == name);
        if (column.Name is null)
        {
            throw new ArgumentOutOfRangeException(nameof(schema), $"{Owner}: {role} column '{name}' not found. Columns: {string.Join(", ", schema.Select(c => c.Name))}.");
        }

        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
        {
            throw new ArgumentOutOfRangeException(nameof(schema), $"{Owner}: {role} column '{name}' is {column.ItemType}{(column.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : " vector")}; expected String.");
        }
    }
}
