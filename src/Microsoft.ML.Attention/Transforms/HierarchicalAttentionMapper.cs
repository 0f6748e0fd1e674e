using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Scores a document row: class probabilities, the predicted key and, when asked, both levels of attention. Runs
/// without a tape, in a tensor scope, once per row however many of the new columns are read; safe on many threads.
/// </summary>
internal sealed class HierarchicalAttentionMapper : IBatchRowMapper<HierarchicalAttentionScores>
{
    private readonly HierarchicalAttentionTransformer _parent;
    private readonly DataViewSchema.Column _source;
    private readonly string[] _added;

    internal HierarchicalAttentionMapper(HierarchicalAttentionTransformer parent, DataViewSchema inputSchema)
    {
        _parent = parent;
        InputSchema = inputSchema;
        _source = parent.CheckInput(inputSchema);
        HierarchicalAttentionOptions o = parent.Options;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        var added = new List<string>();
        if (parent.Binary)
        {
            builder.AddColumn(HierarchicalAttentionEstimator.ScoreColumnName, NumberDataViewType.Single);
            builder.AddColumn(HierarchicalAttentionEstimator.ProbabilityColumnName, NumberDataViewType.Single);
            builder.AddColumn(HierarchicalAttentionEstimator.PredictedLabelColumnName, BooleanDataViewType.Instance);
            added.AddRange([HierarchicalAttentionEstimator.ScoreColumnName, HierarchicalAttentionEstimator.ProbabilityColumnName, HierarchicalAttentionEstimator.PredictedLabelColumnName]);
        }
        else
        {
            KeyLabel.AddPredictionColumns(builder, parent.Classes, parent.LabelValues, HierarchicalAttentionEstimator.ScoreColumnName, HierarchicalAttentionEstimator.PredictedLabelColumnName);
            added.AddRange([HierarchicalAttentionEstimator.ScoreColumnName, HierarchicalAttentionEstimator.PredictedLabelColumnName]);
        }

        foreach ((string? name, DataViewType item) in new (string?, DataViewType)[]
        {
            (o.SentenceAttentionColumnName, NumberDataViewType.Single), (o.SentencesColumnName, TextDataViewType.Instance),
            (o.WordAttentionColumnName, NumberDataViewType.Single), (o.WordsColumnName, TextDataViewType.Instance),
        })
        {
            if (name is not null)
            {
                builder.AddColumn(name, new VectorDataViewType((PrimitiveDataViewType)item));
                added.Add(name);
            }
        }

        _added = [.. added];
        OutputSchema = builder.ToSchema();
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    private int FirstAdded => OutputSchema.Count - _added.Length;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
        MapperDependencies.Of(InputSchema, dependingColumns, FirstAdded, _source);

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) => new Row(this, input);

    /// <inheritdoc/>
    public int BatchSize => _parent.Options.ScoringBatchSize;

    /// <inheritdoc/>
    public HierarchicalAttentionScores[] Score(RowBlock rows)
    {
        (ReadOnlyMemory<char> Text, long Row)[] documents = rows.Read(_source, (in ReadOnlyMemory<char> text, long row) => (text, row));
        return _parent.Score([.. documents.Select(d => d.Text)], [.. documents.Select(d => d.Row)]);
    }

    private sealed class Row(HierarchicalAttentionMapper mapper, DataViewRow input)
        : MappedRow<HierarchicalAttentionScores>(input, mapper.OutputSchema, mapper.FirstAdded, mapper._source, "HierarchicalAttention")
    {
        private ValueGetter<ReadOnlyMemory<char>>? _textGetter;

        protected override Delegate AddedGetter(DataViewSchema.Column column)
        {
            string name = mapper._added[column.Index - mapper.FirstAdded];
            HierarchicalAttentionOptions o = mapper._parent.Options;
            bool binary = mapper._parent.Binary;
            return name switch
            {
                // Binary, as ML.NET's calibrated binary trainers: Score the logit (of class 1 against class 0), its probability, a Boolean prediction.
                HierarchicalAttentionEstimator.PredictedLabelColumnName when binary => (ValueGetter<bool>)((ref bool dst) => dst = Current().Predicted == 2),
                HierarchicalAttentionEstimator.ScoreColumnName when binary => (ValueGetter<float>)((ref float dst) => dst = Current().Logits[1] - Current().Logits[0]),
                HierarchicalAttentionEstimator.ProbabilityColumnName when binary => (ValueGetter<float>)((ref float dst) => dst = Current().Probabilities[1]),
                HierarchicalAttentionEstimator.PredictedLabelColumnName => (ValueGetter<uint>)((ref uint dst) => dst = Current().Predicted),
                HierarchicalAttentionEstimator.ScoreColumnName => Floats(() => Current().Probabilities),
                _ when name == o.SentenceAttentionColumnName => Floats(() => Current().SentenceWeights),
                _ when name == o.WordAttentionColumnName => Floats(() => Current().WordWeights),
                _ when name == o.SentencesColumnName => Texts(() => Current().Sentences),
                _ => Texts(() => Current().Words),
            };
        }

        protected override HierarchicalAttentionScores Compute()
        {
            _textGetter ??= Input.GetGetter<ReadOnlyMemory<char>>(Source);
            ReadOnlyMemory<char> text = default;
            _textGetter(ref text);
            return mapper._parent.Score(text, Input.Position);
        }
    }
}
