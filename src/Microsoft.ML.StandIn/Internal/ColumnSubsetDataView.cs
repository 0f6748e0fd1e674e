namespace Microsoft.ML.Data
{
    /// <summary>A view showing a subset of a source's columns (in a given order); also a row-to-row mapper.</summary>
    internal sealed class ColumnSubsetDataView : IDataView, IRowToRowMapper
    {
        private readonly IDataView _source;
        private readonly int[] _sourceIndex;

        public ColumnSubsetDataView(IDataView source, int[] sourceIndex)
        {
            _source = source;
            _sourceIndex = sourceIndex;
            var builder = new DataViewSchema.Builder();
            builder.AddColumns(sourceIndex.Select(i => source.Schema[i]));
            OutputSchema = builder.ToSchema();
        }

        public bool CanShuffle => _source.CanShuffle;
        public DataViewSchema Schema => OutputSchema;
        public DataViewSchema InputSchema => _source.Schema;
        public DataViewSchema OutputSchema { get; }
        public long? GetRowCount() => _source.GetRowCount();

        public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
            => (dependingColumns ?? Enumerable.Empty<DataViewSchema.Column>()).Select(c => _source.Schema[_sourceIndex[c.Index]]).Distinct();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random rand = null)
            => new Cursor(this, _source.GetRowCursor(GetDependencies(columnsNeeded), rand));

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random rand = null)
            => _source.GetRowCursorSet(GetDependencies(columnsNeeded), n, rand).Select(c => (DataViewRowCursor)new Cursor(this, c)).ToArray();

        public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) => new Row(this, input);

        private sealed class Row : DataViewRow
        {
            private readonly ColumnSubsetDataView _parent;
            private readonly DataViewRow _input;

            public Row(ColumnSubsetDataView parent, DataViewRow input)
            {
                _parent = parent;
                _input = input;
            }

            public override long Position => _input.Position;
            public override long Batch => _input.Batch;
            public override DataViewSchema Schema => _parent.OutputSchema;
            public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();
            public override bool IsColumnActive(DataViewSchema.Column column) => _input.IsColumnActive(_input.Schema[_parent._sourceIndex[column.Index]]);
            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                RowChecks.CheckColumn(_parent.OutputSchema, column);
                return _input.GetGetter<TValue>(_input.Schema[_parent._sourceIndex[column.Index]]);
            }
        }

        private sealed class Cursor : DataViewRowCursor
        {
            private readonly ColumnSubsetDataView _parent;
            private readonly DataViewRowCursor _input;

            public Cursor(ColumnSubsetDataView parent, DataViewRowCursor input)
            {
                _parent = parent;
                _input = input;
            }

            public override long Position => _input.Position;
            public override long Batch => _input.Batch;
            public override DataViewSchema Schema => _parent.OutputSchema;
            public override bool MoveNext() => _input.MoveNext();
            public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();
            public override bool IsColumnActive(DataViewSchema.Column column) => _input.IsColumnActive(_input.Schema[_parent._sourceIndex[column.Index]]);
            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                RowChecks.CheckColumn(_parent.OutputSchema, column);
                return _input.GetGetter<TValue>(_input.Schema[_parent._sourceIndex[column.Index]]);
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                    _input.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}
