using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Maps a row to the pooled embedding and, when asked, the pooling weights and words. Scoring runs without a
/// tape, in a tensor scope, once per row however many of the new columns are read (or once per block of rows, through
/// <see cref="BatchedDataView{TResult}"/>); safe on many threads.
/// </summary>
internal sealed class AttentionEncodeMapper : IBatchRowMapper<AttentionEncodeMapper.Encoded>
{
    private readonly AttentionEncodeTransformer _parent;
    private readonly DataViewSchema.Column _source;
    private readonly int _added;

    internal AttentionEncodeMapper(AttentionEncodeTransformer parent, DataViewSchema inputSchema)
    {
        _parent = parent;
        InputSchema = inputSchema;
        _source = parent.CheckInput(inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        AttentionEncodeOptions s = parent.Options;
        int d = parent.Model.EmbeddingSize;
        var slots = new DataViewSchema.Annotations.Builder();
        ValueGetter<VBuffer<ReadOnlyMemory<char>>> names = (ref VBuffer<ReadOnlyMemory<char>> dst) =>
            dst = new VBuffer<ReadOnlyMemory<char>>(d, [.. Enumerable.Range(0, d).Select(i => $"{s.OutputColumnName}.{i}".AsMemory())]);
        slots.Add(OutputColumn.SlotNames, new VectorDataViewType(TextDataViewType.Instance, d), names);
        builder.AddColumn(s.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, d), slots.ToAnnotations());
        _added = 1;
        if (s.AttentionWeightsColumnName is not null)
        {
            builder.AddColumn(s.AttentionWeightsColumnName, new VectorDataViewType(NumberDataViewType.Single, parent.WeightSlots(inputSchema)));
            _added++;
        }

        if (s.TokensColumnName is not null)
        {
            builder.AddColumn(s.TokensColumnName, new VectorDataViewType(TextDataViewType.Instance));
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

    /// <summary>One row's outputs.</summary>
    internal sealed record Encoded(float[] Embedding, float[] Weights, string[] Words);

    /// <summary>
    /// Encodes a block of rows: texts in groups of similar length (<see cref="LengthBuckets.Tight"/>), cut into pieces
    /// spread over the cores (<see cref="ScoringPieces"/>); vectors in one batch.
    /// </summary>
    public Encoded[] Score(RowBlock rows)
    {
        AttentionEncodeOptions s = _parent.Options;
        var results = new Encoded[rows.Count];
        if (s.IsTextInput)
        {
            (int[] Ids, string[] Words)[] tokens = rows.Read(_source, (in ReadOnlyMemory<char> text, long row) => (_parent.Reader.Tokens(text, row, out string[] w), w));
            int[][] ids = [.. tokens.Select(t => t.Ids)];
            string[][] words = [.. tokens.Select(t => t.Words)];
            int[] lengths = [.. ids.Select(i => i.Length)];
            ScoringPieces.Run(LengthBuckets.Tight(lengths), lengths, piece =>
            {
                Encoded[] encoded = Run(EncoderBatch.FromTokens([.. piece.Select(g => ids[g])]), [.. piece.Select(g => words[g])]);
                for (int j = 0; j < piece.Length; j++)
                {
                    results[piece[j]] = encoded[j];
                }
            });

            return results;
        }

        float[][] steps = rows.Read(_source, (in VBuffer<float> vector, long row) => _parent.Reader.Steps(vector, row));
        return Run(EncoderBatch.FromVectors(steps, s.StepSize), new string[rows.Count][]);
    }

    /// <summary>Encodes one row: embedding, weights (padded to the weight column's size) and words.</summary>
    private Encoded Encode(DataViewRow input, Delegate getter)
    {
        AttentionEncodeOptions s = _parent.Options;
        if (s.IsTextInput)
        {
            ReadOnlyMemory<char> text = default;
            ((ValueGetter<ReadOnlyMemory<char>>)getter)(ref text);
            int[] ids = _parent.Reader.Tokens(text, input.Position, out string[] words);
            return Run(EncoderBatch.FromTokens([ids]), [words])[0];
        }

        VBuffer<float> value = default;
        ((ValueGetter<VBuffer<float>>)getter)(ref value);
        return Run(EncoderBatch.FromVectors([_parent.Reader.Steps(value, input.Position)], s.StepSize), [[]])[0];
    }

    /// <summary>One forward pass without a tape; each row's weights padded to the weight column's size.</summary>
    private Encoded[] Run(EncoderBatch batch, string[]?[] words)
    {
        AttentionEncodeOptions s = _parent.Options;
        int d = _parent.Model.EmbeddingSize, length = batch.Length;
        int slots = s.IsTextInput ? s.MaximumLength : length;
        using TensorScope scope = TensorScope.Begin();
        using (GradMode.NoGrad())
        {
            AttentionResult r = _parent.Model.Encode(batch);
            ReadOnlySpan<float> output = r.Output.AsSpan(), all = r.Weights!.AsSpan();
            var encoded = new Encoded[batch.Batch];
            for (int b = 0; b < batch.Batch; b++)
            {
                float[] weights = new float[slots];
                all.Slice(b * length, length).CopyTo(weights);
                encoded[b] = new Encoded(output.Slice(b * d, d).ToArray(), weights, words[b] ?? []);
            }

            return encoded;
        }
    }

    private sealed class Row(AttentionEncodeMapper mapper, DataViewRow input)
        : MappedRow<Encoded>(input, mapper.OutputSchema, mapper.FirstAdded, mapper._source, "AttentionEncode")
    {
        private Delegate? _sourceGetter;

        protected override Delegate AddedGetter(DataViewSchema.Column column)
        {
            AttentionEncodeOptions s = mapper._parent.Options;
            if (column.Name == s.TokensColumnName && column.Index == mapper.OutputSchema.Count - 1)
            {
                return Texts(() => Current().Words);
            }

            bool weights = column.Index == mapper.FirstAdded + 1 && s.AttentionWeightsColumnName is not null;
            return Floats(() => weights ? Current().Weights : Current().Embedding);
        }

        protected override Encoded Compute()
        {
            _sourceGetter ??= mapper._parent.Options.IsTextInput
                ? Input.GetGetter<ReadOnlyMemory<char>>(Source)
                : Input.GetGetter<VBuffer<float>>(Source);
            return mapper.Encode(Input, _sourceGetter);
        }
    }
}
