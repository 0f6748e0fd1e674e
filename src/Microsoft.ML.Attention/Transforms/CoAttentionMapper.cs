using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Scores a pair row with the co-attention classifier: the logit, probability and predicted label, and when asked both
/// matrices and both texts' words. Once per row, without a tape; safe on many threads.
/// </summary>
internal sealed class CoAttentionMapper : IBatchRowMapper<CoAttentionScores>
{
    private readonly CoAttentionTransformer _parent;
    private readonly DataViewSchema.Column _first;
    private readonly DataViewSchema.Column _second;
    private readonly List<string> _extras;

    internal CoAttentionMapper(CoAttentionTransformer parent, DataViewSchema inputSchema)
    {
        _parent = parent;
        InputSchema = inputSchema;
        _first = CoAttentionTransformer.TextColumn(inputSchema, parent.Options.FirstColumnName, "first text");
        _second = CoAttentionTransformer.TextColumn(inputSchema, parent.Options.SecondColumnName, "second text");
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        builder.AddColumn(CoAttentionEstimator.ScoreColumnName, NumberDataViewType.Single);
        builder.AddColumn(CoAttentionEstimator.ProbabilityColumnName, NumberDataViewType.Single);
        builder.AddColumn(CoAttentionEstimator.PredictedLabelColumnName, BooleanDataViewType.Instance);
        _extras = [];
        foreach ((string? name, DataViewType item) in CoAttentionTransformer.ExtraColumns(parent.Options))
        {
            builder.AddColumn(name!, new VectorDataViewType((PrimitiveDataViewType)item));
            _extras.Add(name!);
        }

        OutputSchema = builder.ToSchema();
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    private int FirstAdded => OutputSchema.Count - 3 - _extras.Count;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        DataViewSchema.Column[] asked = [.. dependingColumns];
        List<DataViewSchema.Column> needed = [.. MapperDependencies.Of(InputSchema, asked, FirstAdded, _first)];
        if (asked.Any(c => c.Index >= FirstAdded) && needed.All(c => c.Index != _second.Index))
        {
            needed.Add(_second);
        }

        return needed;
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) => new Row(this, input);

    /// <inheritdoc/>
    public int BatchSize => _parent.Options.ScoringBatchSize;

    /// <inheritdoc/>
    public CoAttentionScores[] Score(RowBlock rows)
    {
        (ReadOnlyMemory<char> Text, long Row)[] first = rows.Read(_first, (in ReadOnlyMemory<char> text, long row) => (text, row));
        ReadOnlyMemory<char>[] second = rows.Read(_second, (in ReadOnlyMemory<char> text, long row) => text);
        return _parent.Score([.. first.Select(f => f.Text)], second, [.. first.Select(f => f.Row)]);
    }

    private sealed class Row(CoAttentionMapper mapper, DataViewRow input)
        : MappedRow<CoAttentionScores>(input, mapper.OutputSchema, mapper.FirstAdded, mapper._first, CoAttentionEstimator.Owner)
    {
        private ValueGetter<ReadOnlyMemory<char>>? _a;
        private ValueGetter<ReadOnlyMemory<char>>? _b;

        protected override Delegate AddedGetter(DataViewSchema.Column column)
        {
            int k = column.Index - mapper.FirstAdded;
            if (k < 3)
            {
                return k switch
                {
                    0 => (ValueGetter<float>)((ref float dst) => dst = Current().Logit),
                    1 => (ValueGetter<float>)((ref float dst) => dst = Current().Probability),
                    _ => (ValueGetter<bool>)((ref bool dst) => dst = Current().Logit > 0),
                };
            }

            CoAttentionScores Scores() => Current();
            string name = mapper._extras[k - 3];
            var options = mapper._parent.Options;
            return name == options.FirstToSecondAttentionColumnName ? Floats(() => Scores().FirstToSecond)
                : name == options.SecondToFirstAttentionColumnName ? Floats(() => Scores().SecondToFirst)
                : name == options.FirstWordsColumnName ? Texts(() => Scores().FirstWords)
                : Texts(() => Scores().SecondWords);
        }

        protected override CoAttentionScores Compute()
        {
            _a ??= Input.GetGetter<ReadOnlyMemory<char>>(mapper._first);
            _b ??= Input.GetGetter<ReadOnlyMemory<char>>(mapper._second);
            ReadOnlyMemory<char> a = default, b = default;
            _a(ref a);
            _b(ref b);
            return mapper._parent.Score(a, b, Input.Position);
        }
    }
}
