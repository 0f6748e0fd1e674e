using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Scores an image row with the recurrent attention model: class probabilities, the predicted key and, when asked, the
/// glimpse locations. Once per row, without a tape; safe on many threads (scoring takes the policy's mean, no sampling).
/// </summary>
internal sealed class RecurrentAttentionMapper : IBatchRowMapper<RecurrentAttentionScores>
{
    private readonly RecurrentAttentionTransformer _parent;
    private readonly DataViewSchema.Column _source;
    private readonly int _added;

    internal RecurrentAttentionMapper(RecurrentAttentionTransformer parent, DataViewSchema inputSchema)
    {
        _parent = parent;
        InputSchema = inputSchema;
        _source = parent.CheckInput(inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        KeyLabel.AddPredictionColumns(builder, parent.Classes, parent.LabelValues, ImageAttentionEstimator.ScoreColumnName, ImageAttentionEstimator.PredictedLabelColumnName);
        _added = 2;
        if (parent.Options.LocationsColumnName is { } locations)
        {
            builder.AddColumn(locations, new VectorDataViewType(NumberDataViewType.Single, parent.Glimpses, 2));
            _added++;
        }

        OutputSchema = builder.ToSchema();
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    private int FirstAdded => OutputSchema.Count - _added;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
        MapperDependencies.Of(InputSchema, dependingColumns, FirstAdded, _source);

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) => new Row(this, input);

    /// <inheritdoc/>
    public int BatchSize => _parent.Options.ScoringBatchSize;

    /// <inheritdoc/>
    public RecurrentAttentionScores[] Score(RowBlock rows)
    {
        return _parent.Score(rows.Read(_source, (in VBuffer<float> pixels, long row) => ImagePixelReader.Checked(pixels, row, _source, _parent.Shape, "RecurrentAttention")));
    }

    private sealed class Row(RecurrentAttentionMapper mapper, DataViewRow input)
        : MappedRow<RecurrentAttentionScores>(input, mapper.OutputSchema, mapper.FirstAdded, mapper._source, "RecurrentAttention")
    {
        private Func<float[]>? _pixels;

        protected override Delegate AddedGetter(DataViewSchema.Column column) => (column.Index - mapper.FirstAdded) switch
        {
            0 => Floats(() => Current().Probabilities),
            1 => (ValueGetter<uint>)((ref uint dst) => dst = Current().Predicted),
            _ => Floats(() => Current().Locations),
        };

        protected override RecurrentAttentionScores Compute()
        {
            _pixels ??= ImagePixelReader.Getter(Input, Source, mapper._parent.Shape, "RecurrentAttention");
            return mapper._parent.Score(_pixels());
        }
    }
}
