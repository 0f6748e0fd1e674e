namespace Microsoft.ML.Data
{
    /// <summary>A cursor over another cursor that keeps its schema and getters and decides which rows to show.</summary>
    internal class ForwardingCursor : DataViewRowCursor
    {
        private readonly Func<DataViewRowCursor, bool> _accept;
        private readonly Func<long, bool> _continue;
        private long _position = -1;

        /// <param name="accept">Called after each inner MoveNext; false skips the row.</param>
        /// <param name="continueAt">Called with the position the next accepted row would get; false ends the cursor.</param>
        public ForwardingCursor(DataViewRowCursor inner, Func<DataViewRowCursor, bool> accept = null, Func<long, bool> continueAt = null)
        {
            Inner = inner;
            _accept = accept;
            _continue = continueAt;
        }

        protected DataViewRowCursor Inner { get; }

        public override long Position => _position;
        public override long Batch => Inner.Batch;
        public override DataViewSchema Schema => Inner.Schema;

        public override bool MoveNext()
        {
            if (_continue != null && !_continue(_position + 1))
                return false;
            while (Inner.MoveNext())
            {
                if (_accept == null || _accept(Inner))
                {
                    _position++;
                    return true;
                }
            }
            return false;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => Inner.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => Inner.IsColumnActive(column);
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => Inner.GetGetter<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                Inner.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>A lazy view of the rows of a source that a per-cursor predicate accepts (same schema).</summary>
    internal sealed class FilteringDataView : IDataView
    {
        private readonly IDataView _source;
        private readonly Func<DataViewRowCursor, Func<DataViewRowCursor, bool>> _makeFilter;
        private readonly DataViewSchema.Column[] _filterColumns;
        private readonly Func<long, bool> _continueAt;
        private readonly bool _allowSplit;
        private readonly Func<long?> _count;

        public FilteringDataView(IDataView source, DataViewSchema.Column[] filterColumns,
            Func<DataViewRowCursor, Func<DataViewRowCursor, bool>> makeFilter, Func<long, bool> continueAt = null,
            bool allowSplit = true, Func<long?> count = null)
        {
            _source = source;
            _filterColumns = filterColumns ?? Array.Empty<DataViewSchema.Column>();
            _makeFilter = makeFilter;
            _continueAt = continueAt;
            _allowSplit = allowSplit;
            _count = count;
        }

        public bool CanShuffle => _source.CanShuffle && _allowSplit;
        public DataViewSchema Schema => _source.Schema;
        public long? GetRowCount() => _count?.Invoke();

        private IEnumerable<DataViewSchema.Column> Needed(IEnumerable<DataViewSchema.Column> columnsNeeded)
            => (columnsNeeded ?? Enumerable.Empty<DataViewSchema.Column>()).Concat(_filterColumns).GroupBy(c => c.Index).Select(g => g.First());

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random rand = null)
        {
            var inner = _source.GetRowCursor(Needed(columnsNeeded), rand);
            return new ForwardingCursor(inner, _makeFilter?.Invoke(inner), _continueAt);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random rand = null)
        {
            if (!_allowSplit || n <= 1)
                return new[] { GetRowCursor(columnsNeeded, rand) };
            return _source.GetRowCursorSet(Needed(columnsNeeded), n, rand)
                .Select(inner => (DataViewRowCursor)new ForwardingCursor(inner, _makeFilter?.Invoke(inner), null))
                .ToArray();
        }
    }
}
