using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Maps a row to the pooled embedding and, when asked, the pooling weights and words. Scoring runs without a
/// tape, in a tensor scope, once per row however many of the new columns are read; safe on many threads.
/// </summary>
internal sealed class AttentionEncodeMapper : IRowToRowMapper
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

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var wanted = dependingColumns.Select(c => c.Index).ToHashSet();
        var result = InputSchema.Where(c => wanted.Contains(c.Index)).ToList();
        if (wanted.Any(i => i >= FirstAdded) && !result.Any(c => c.Index == _source.Index))
        {
            result.Add(_source);
        }

        return result;
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) => new Row(this, input);

    /// <summary>Encodes one row: embedding, weights (padded to the weight column's size) and words.</summary>
    private (float[] Embedding, float[] Weights, string[] Words) Encode(DataViewRow input, Delegate getter)
    {
        AttentionEncodeOptions s = _parent.Options;
        EncoderBatch batch;
        string[] words = [];
        if (s.IsTextInput)
        {
            ReadOnlyMemory<char> text = default;
            ((ValueGetter<ReadOnlyMemory<char>>)getter)(ref text);
            int[] ids = _parent.Reader.Tokens(text, input.Position, out words);
            batch = EncoderBatch.FromTokens([ids]);
        }
        else
        {
            VBuffer<float> value = default;
            ((ValueGetter<VBuffer<float>>)getter)(ref value);
            batch = EncoderBatch.FromVectors([_parent.Reader.Steps(value, input.Position)], s.StepSize);
        }

        using TensorScope scope = TensorScope.Begin();
        using (GradMode.NoGrad())
        {
            AttentionResult r = _parent.Model.Encode(batch);
            float[] weights = new float[s.IsTextInput ? s.MaximumLength : batch.Length];
            r.Weights!.AsSpan().CopyTo(weights);
            return (r.Output.ToArray(), weights, words);
        }
    }

    private sealed class Row : DataViewRow
    {
        private readonly AttentionEncodeMapper _mapper;
        private readonly DataViewRow _input;
        private Delegate? _sourceGetter;
        private long _cachedPosition = -1;
        private (float[] Embedding, float[] Weights, string[] Words) _cached;

        internal Row(AttentionEncodeMapper mapper, DataViewRow input)
        {
            _mapper = mapper;
            _input = input;
        }

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override DataViewSchema Schema => _mapper.OutputSchema;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index >= _mapper.FirstAdded ? _input.IsColumnActive(_mapper._source) : _input.IsColumnActive(_input.Schema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < _mapper.FirstAdded)
            {
                return _input.GetGetter<TValue>(_input.Schema[column.Index]);
            }

            string name = column.Name;
            AttentionEncodeOptions s = _mapper._parent.Options;
            Delegate getter;
            if (name == s.TokensColumnName && column.Index == _mapper.OutputSchema.Count - 1)
            {
                getter = (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> dst) =>
                {
                    string[] words = Current().Words;
                    dst = new VBuffer<ReadOnlyMemory<char>>(words.Length, [.. words.Select(w => w.AsMemory())]);
                });
            }
            else
            {
                bool weights = column.Index == _mapper.FirstAdded + 1 && s.AttentionWeightsColumnName is not null;
                getter = (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
                {
                    float[] values = weights ? Current().Weights : Current().Embedding;
                    dst = new VBuffer<float>(values.Length, (float[])values.Clone());
                });
            }

            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"AttentionEncode: column '{name}' is read as {typeof(TValue).Name}, but it holds {column.Type}.");
        }

        private (float[] Embedding, float[] Weights, string[] Words) Current()
        {
            if (_cachedPosition != _input.Position)
            {
                _sourceGetter ??= _mapper._parent.Options.IsTextInput
                    ? _input.GetGetter<ReadOnlyMemory<char>>(_mapper._source)
                    : _input.GetGetter<VBuffer<float>>(_mapper._source);
                _cached = _mapper.Encode(_input, _sourceGetter);
                _cachedPosition = _input.Position;
            }

            return _cached;
        }
    }
}
