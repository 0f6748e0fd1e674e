using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Scores a row with the time-step attention model: <c>Score</c> (and <c>PredictedLabel</c> for classification) and,
/// when asked, the step weights. Once per row, without a tape; safe on many threads.
/// </summary>
internal sealed class TimeStepAttentionMapper : IBatchRowMapper<TimeStepAttentionScores>
{
    private readonly TimeStepAttentionTransformer _parent;
    private readonly DataViewSchema.Column _source;
    private readonly int _added;

    internal TimeStepAttentionMapper(TimeStepAttentionTransformer parent, DataViewSchema inputSchema)
    {
        _parent = parent;
        InputSchema = inputSchema;
        _source = parent.CheckInput(inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        if (parent.Regression)
        {
            builder.AddColumn(TimeStepAttentionEstimator.ScoreColumnName, NumberDataViewType.Single);
            _added = 1;
        }
        else
        {
            KeyLabel.AddPredictionColumns(builder, parent.Model.Outputs, parent.LabelValues, TimeStepAttentionEstimator.ScoreColumnName, TimeStepAttentionEstimator.PredictedLabelColumnName);
            _added = 2;
        }

        if (parent.Options.StepAttentionColumnName is { } weights)
        {
            builder.AddColumn(weights, new VectorDataViewType(NumberDataViewType.Single, parent.Steps));
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
    public TimeStepAttentionScores[] Score(RowBlock rows)
    {
        return _parent.Score(rows.Read(_source, (in VBuffer<float> steps, long row) => TimeStepReader.Checked(steps, row, _source, _parent.Options)));
    }

    private sealed class Row(TimeStepAttentionMapper mapper, DataViewRow input)
        : MappedRow<TimeStepAttentionScores>(input, mapper.OutputSchema, mapper.FirstAdded, mapper._source, TimeStepAttentionEstimator.Owner)
    {
        private Func<float[]>? _vector;

        protected override Delegate AddedGetter(DataViewSchema.Column column)
        {
            int k = column.Index - mapper.FirstAdded;
            bool regression = mapper._parent.Regression;
            if (regression && k == 0)
            {
                return (ValueGetter<float>)((ref float dst) => dst = Current().Scores[0]);
            }

            return (regression ? k + 1 : k) switch
            {
                0 => Floats(() => Current().Scores),
                1 => (ValueGetter<uint>)((ref uint dst) => dst = Current().Predicted),
                _ => Floats(() => Current().StepWeights),
            };
        }

        protected override TimeStepAttentionScores Compute()
        {
            _vector ??= TimeStepReader.Getter(Input, Source, mapper._parent.Options);
            return mapper._parent.Score(_vector());
        }
    }
}
