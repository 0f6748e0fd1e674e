namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// The output of <see cref="SequenceToSequenceTransformer.Transform"/>: the input rows with the decoded columns, decoded
/// in batches. When a decoded column is read, a second cursor over the source column runs ahead of the rows and decodes
/// the next <c>DecodeBatchSize</c> sources together; rows are then served from that batch. This needs the two cursors
/// to see the rows in one order, so a shuffled cursor (a generator given) decodes row by row instead, and a cursor set
/// is one cursor.
/// </summary>
internal sealed class SequenceToSequenceDataView(IDataView input, SequenceToSequenceTransformer transformer) : IDataView
{
    private readonly SequenceToSequenceMapper _mapper = new(transformer, input.Schema);

    public bool CanShuffle => input.CanShuffle;

    public DataViewSchema Schema => _mapper.OutputSchema;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        DataViewSchema.Column[] needed = [.. columnsNeeded];
        bool decodes = needed.Any(c => c.Index >= input.Schema.Count);
        DataViewRowCursor rows = input.GetRowCursor(_mapper.GetDependencies(needed), rand);
        if (!decodes || rand is not null)
        {
            return new RowMapperDataView.Cursor(rows, _mapper, needed);
        }

        DataViewSchema.Column source = input.Schema[_mapper.SourceIndex];
        DataViewRowCursor ahead = input.GetRowCursor([source]);
        return new RowMapperDataView.Cursor(rows, new SequenceToSequenceMapper(transformer, input.Schema, new Lookahead(ahead, source, transformer)), needed, ahead);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    /// <summary>Decoded rows by position, from a cursor of its own that reads the sources a batch at a time.</summary>
    internal sealed class Lookahead(DataViewRowCursor cursor, DataViewSchema.Column source, SequenceToSequenceTransformer transformer)
    {
        private readonly ValueGetter<ReadOnlyMemory<char>> _text = cursor.GetGetter<ReadOnlyMemory<char>>(source);
        private SequenceToSequencePrediction[] _batch = [];
        private long _first;

        /// <summary>The prediction of the row at <paramref name="position"/> (positions only move forward).</summary>
        internal SequenceToSequencePrediction At(long position)
        {
            while (position >= _first + _batch.Length)
            {
                _first += _batch.Length;
                var texts = new List<ReadOnlyMemory<char>>(transformer.Options.DecodeBatchSize);
                ReadOnlyMemory<char> value = default;
                while (texts.Count < transformer.Options.DecodeBatchSize && cursor.MoveNext())
                {
                    _text(ref value);
                    texts.Add(value.ToString().AsMemory());
                }

                if (texts.Count == 0)
                {
                    throw new InvalidOperationException($"{SequenceToSequenceEstimator.Owner}: the input has fewer rows than the cursor reached ({position + 1}); it changed while being read.");
                }

                _batch = transformer.Predict(texts, _first);
            }

            return _batch[position - _first];
        }
    }
}
