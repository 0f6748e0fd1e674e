namespace Microsoft.ML.Data
{
    /// <summary>A view over a re-iterable sequence of user objects; each cursor enumerates the sequence again.</summary>
    internal sealed class EnumerableDataView<TRow> : IDataView
        where TRow : class
    {
        private readonly IEnumerable<TRow> _data;
        private readonly RowClassBinding _binding;

        public EnumerableDataView(IEnumerable<TRow> data, SchemaDefinition definition, DataViewSchema schema)
        {
            _data = data;
            _binding = new RowClassBinding(typeof(TRow), definition, SchemaDefinition.Direction.Read, schema);
        }

        public bool CanShuffle => false;
        public DataViewSchema Schema => _binding.Schema;

        public long? GetRowCount() => _data switch
        {
            ICollection<TRow> c => c.Count,
            IReadOnlyCollection<TRow> r => r.Count,
            _ => null,
        };

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random rand = null)
            => new Cursor(this, columnsNeeded);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random rand = null)
            => new[] { GetRowCursor(columnsNeeded, rand) };

        private sealed class Cursor : DataViewRowCursor
        {
            private readonly EnumerableDataView<TRow> _parent;
            private readonly IEnumerator<TRow> _enumerator;
            private readonly bool[] _active;
            private readonly Delegate[] _getters;
            private TRow _current;
            private long _position = -1;

            public Cursor(EnumerableDataView<TRow> parent, IEnumerable<DataViewSchema.Column> columnsNeeded)
            {
                _parent = parent;
                _enumerator = parent._data.GetEnumerator();
                _active = new bool[parent.Schema.Count];
                foreach (var c in columnsNeeded ?? Enumerable.Empty<DataViewSchema.Column>())
                    _active[c.Index] = true;
                _getters = new Delegate[_active.Length];
                for (int i = 0; i < _active.Length; i++)
                {
                    if (!_active[i])
                        continue;
                    var bound = parent._binding.Columns[i];
                    _getters[i] = MemberAccess.MakePeek(bound.Name, bound.Type, bound.Get, CurrentOrThrow);
                }
            }

            private object CurrentOrThrow()
                => _current ?? throw new InvalidOperationException(_position < 0 ? "MoveNext has not been called on this cursor." : $"Row {_position} of the enumerable is null.");

            public override long Position => _position;
            public override long Batch => 0;
            public override DataViewSchema Schema => _parent.Schema;

            public override bool MoveNext()
            {
                if (!_enumerator.MoveNext())
                {
                    _current = null;
                    return false;
                }
                _current = _enumerator.Current;
                _position++;
                return true;
            }

            public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);
            public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                RowChecks.CheckColumn(Schema, column);
                if (!_active[column.Index])
                    throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor; request it in columnsNeeded.");
                return _getters[column.Index] as ValueGetter<TValue> ?? throw RowChecks.WrongGetterType(column, typeof(TValue));
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                    _enumerator.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}
