using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Decodes a source row with the sequence-to-sequence model: the predicted text and, when asked, the flattened alignment
/// (output tokens × source tokens) and both sides' tokens. Without a tape. Alone (a PredictionEngine's) it decodes
/// each row and is safe on many threads; with a lookahead it serves the rows of one cursor from batches.
/// </summary>
internal sealed class SequenceToSequenceMapper : IRowToRowMapper
{
    private readonly SequenceToSequenceTransformer _parent;
    private readonly DataViewSchema.Column _source;
    private readonly List<int> _kinds = [];
    private readonly SequenceToSequenceDataView.Lookahead? _lookahead;

    /// <summary>A mapper decoding each row alone, or, with <paramref name="lookahead"/>, serving one cursor's rows from its batches.</summary>
    internal SequenceToSequenceMapper(SequenceToSequenceTransformer parent, DataViewSchema inputSchema, SequenceToSequenceDataView.Lookahead? lookahead = null)
    {
        _parent = parent;
        _lookahead = lookahead;
        InputSchema = inputSchema;
        _source = parent.CheckInput(inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        builder.AddColumn(parent.Options.OutputColumnName, TextDataViewType.Instance);
        _kinds.Add(0);
        if (parent.Options.AlignmentColumnName is { } alignment)
        {
            builder.AddColumn(alignment, new VectorDataViewType(NumberDataViewType.Single));
            _kinds.Add(1);
        }

        if (parent.Options.SourceTokensColumnName is { } sourceTokens)
        {
            builder.AddColumn(sourceTokens, new VectorDataViewType(TextDataViewType.Instance));
            _kinds.Add(2);
        }

        if (parent.Options.OutputTokensColumnName is { } outputTokens)
        {
            builder.AddColumn(outputTokens, new VectorDataViewType(TextDataViewType.Instance));
            _kinds.Add(3);
        }

        OutputSchema = builder.ToSchema();
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    private int FirstAdded => OutputSchema.Count - _kinds.Count;

    /// <summary>The source column's index in the input schema.</summary>
    internal int SourceIndex => _source.Index;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
        MapperDependencies.Of(InputSchema, dependingColumns, FirstAdded, _source);

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) => new Row(this, input);

    private sealed class Row(SequenceToSequenceMapper mapper, DataViewRow input)
        : MappedRow<SequenceToSequencePrediction>(input, mapper.OutputSchema, mapper.FirstAdded, mapper._source, SequenceToSequenceEstimator.Owner)
    {
        private ValueGetter<ReadOnlyMemory<char>>? _text;

        protected override Delegate AddedGetter(DataViewSchema.Column column) => mapper._kinds[column.Index - mapper.FirstAdded] switch
        {
            0 => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> dst) => dst = Current().Text.AsMemory()),
            1 => Floats(() => Current().FlatAlignment()),
            2 => Texts(() => Current().SourceTokens),
            _ => Texts(() => Current().OutputTokens),
        };

        protected override SequenceToSequencePrediction Compute()
        {
            if (mapper._lookahead is { } batches)
            {
                return batches.At(Input.Position);
            }

            _text ??= Input.GetGetter<ReadOnlyMemory<char>>(Source);
            ReadOnlyMemory<char> value = default;
            _text(ref value);
            return mapper._parent.Predict([value], Input.Position)[0];
        }
    }
}
