using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Scores an image row: class probabilities and the predicted key (classifier) or the embedding (featurizer) and,
/// when asked, the spatial map. Runs without a tape, in a tensor scope, once per row however many of the new columns
/// are read; safe on many threads.
/// </summary>
internal sealed class ImageAttentionMapper : IBatchRowMapper<ImageAttentionScores>
{
    private readonly ImageAttentionTransformer _parent;
    private readonly DataViewSchema.Column _source;
    private readonly string[] _added;

    internal ImageAttentionMapper(ImageAttentionTransformer parent, DataViewSchema inputSchema)
    {
        _parent = parent;
        InputSchema = inputSchema;
        _source = parent.CheckInput(inputSchema);
        ImageAttentionOptions o = parent.Options;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        var added = new List<string>();
        if (parent.Featurizer)
        {
            builder.AddColumn(o.EmbeddingColumnName, new VectorDataViewType(NumberDataViewType.Single, o.EmbeddingDimension));
            added.Add(o.EmbeddingColumnName);
        }
        else
        {
            KeyLabel.AddPredictionColumns(builder, parent.Classes, parent.LabelValues, ImageAttentionEstimator.ScoreColumnName, ImageAttentionEstimator.PredictedLabelColumnName);
            added.AddRange([ImageAttentionEstimator.ScoreColumnName, ImageAttentionEstimator.PredictedLabelColumnName]);
        }

        if (o.AttentionMapColumnName is { } map)
        {
            builder.AddColumn(map, new VectorDataViewType(NumberDataViewType.Single, parent.MapSize.Height, parent.MapSize.Width));
            added.Add(map);
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
    public ImageAttentionScores[] Score(RowBlock rows)
    {
        float[][] images = rows.Read(_source, (in VBuffer<float> pixels, long row) => ImagePixelReader.Checked(pixels, row, _source, _parent.Shape));
        return _parent.Score(images, _parent.Options.AttentionMapColumnName is not null);
    }

    private sealed class Row(ImageAttentionMapper mapper, DataViewRow input)
        : MappedRow<ImageAttentionScores>(input, mapper.OutputSchema, mapper.FirstAdded, mapper._source, "ImageAttention")
    {
        private Func<float[]>? _pixels;

        protected override Delegate AddedGetter(DataViewSchema.Column column)
        {
            string name = mapper._added[column.Index - mapper.FirstAdded];
            ImageAttentionOptions o = mapper._parent.Options;
            return name switch
            {
                _ when name == o.AttentionMapColumnName => Floats(() => Current().Map!),
                ImageAttentionEstimator.PredictedLabelColumnName when !mapper._parent.Featurizer => (ValueGetter<uint>)((ref uint dst) => dst = Current().Predicted),
                ImageAttentionEstimator.ScoreColumnName when !mapper._parent.Featurizer => Floats(() => Current().Probabilities),
                _ => Floats(() => Current().Embedding),
            };
        }

        protected override ImageAttentionScores Compute()
        {
            _pixels ??= ImagePixelReader.Getter(Input, Source, mapper._parent.Shape);
            return mapper._parent.Score(_pixels(), mapper._parent.Options.AttentionMapColumnName is not null);
        }
    }
}
