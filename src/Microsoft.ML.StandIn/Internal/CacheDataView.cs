using System.Reflection;

namespace Microsoft.ML.Data
{
    /// <summary>
    /// Materializes a source in memory on first use (all columns, one scan, thread-safe) and serves cursors from it,
    /// in order or in a random order when asked with a <see cref="Random"/>. Cursor sets split the rows in contiguous ranges.
    /// </summary>
    internal sealed class CacheDataView : IDataView
    {
        private readonly IDataView _source;
        private readonly Lazy<(IColumnStore[] Columns, DataViewRowId[] Ids, int Count)> _store;

        public CacheDataView(IDataView source)
        {
            _source = source;
            _store = new Lazy<(IColumnStore[], DataViewRowId[], int)>(Fill, LazyThreadSafetyMode.ExecutionAndPublication);
        }

        public bool CanShuffle => true;
        public DataViewSchema Schema => _source.Schema;
        public long? GetRowCount() => _store.IsValueCreated ? _store.Value.Count : _source.GetRowCount();

        private (IColumnStore[], DataViewRowId[], int) Fill()
        {
            var schema = _source.Schema;
            var stores = new IColumnStore[schema.Count];
            var ids = new List<DataViewRowId>();
            using var cursor = _source.GetRowCursor(schema);
            for (int i = 0; i < schema.Count; i++)
            {
                var method = typeof(CacheDataView).GetMethod(nameof(MakeStore), BindingFlags.NonPublic | BindingFlags.Static).MakeGenericMethod(schema[i].Type.RawType);
                stores[i] = (IColumnStore)method.Invoke(null, new object[] { cursor, schema[i] });
            }
            var idGetter = cursor.GetIdGetter();
            int count = 0;
            while (cursor.MoveNext())
            {
                foreach (var store in stores)
                    store.Append();
                DataViewRowId id = default;
                idGetter(ref id);
                ids.Add(id);
                count++;
            }
            return (stores, ids.ToArray(), count);
        }

        private static IColumnStore MakeStore<T>(DataViewRowCursor cursor, DataViewSchema.Column column)
            => new ColumnStore<T>(cursor.GetGetter<T>(column));

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random rand = null)
        {
            var store = _store.Value;
            int[] order = null;
            if (rand != null)
            {
                order = Enumerable.Range(0, store.Count).ToArray();
                for (int i = order.Length - 1; i > 0; i--)
                {
                    int j = rand.Next(i + 1);
                    (order[i], order[j]) = (order[j], order[i]);
                }
            }
            return new Cursor(this, store.Columns, store.Ids, 0, store.Count, order, 0);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random rand = null)
        {
            if (rand != null || n <= 1)
                return new[] { GetRowCursor(columnsNeeded, rand) };
            var store = _store.Value;
            n = Math.Max(1, Math.Min(n, store.Count));
            var cursors = new DataViewRowCursor[n];
            for (int k = 0; k < n; k++)
            {
                int start = (int)((long)store.Count * k / n);
                int end = (int)((long)store.Count * (k + 1) / n);
                cursors[k] = new Cursor(this, store.Columns, store.Ids, start, end, null, k);
            }
            return cursors;
        }

        private interface IColumnStore
        {
            void Append();
            Delegate Getter(Func<int> row);
        }

        private sealed class ColumnStore<T> : IColumnStore
        {
            private readonly ValueGetter<T> _source;
            private readonly List<T> _values = new();
            private readonly bool _isBuffer = typeof(T).IsGenericType && typeof(T).GetGenericTypeDefinition() == typeof(VBuffer<>);

            public ColumnStore(ValueGetter<T> source) => _source = source;

            public void Append()
            {
                T value = default;
                _source(ref value);
                _values.Add(_isBuffer ? BufferCopy.Copy(value) : value);
            }

            public Delegate Getter(Func<int> row)
            {
                var values = _values;
                if (_isBuffer)
                    return (ValueGetter<T>)((ref T dst) => dst = BufferCopy.CopyInto(values[row()], dst));
                return (ValueGetter<T>)((ref T dst) => dst = values[row()]);
            }
        }

        private sealed class Cursor : DataViewRowCursor
        {
            private readonly CacheDataView _parent;
            private readonly DataViewRowId[] _ids;
            private readonly int _start;
            private readonly int _end;
            private readonly int[] _order;
            private readonly long _batch;
            private readonly Delegate[] _getters;
            private int _at;
            private long _position = -1;

            public Cursor(CacheDataView parent, IColumnStore[] columns, DataViewRowId[] ids, int start, int end, int[] order, long batch)
            {
                _parent = parent;
                _ids = ids;
                _start = start;
                _end = end;
                _order = order;
                _batch = batch;
                _at = start - 1;
                _getters = columns.Select(c => c.Getter(Row)).ToArray();
            }

            private int Row()
            {
                if (_position < 0 || _at >= _end)
                    throw new InvalidOperationException("The cursor has no current row.");
                return _order == null ? _at : _order[_at];
            }

            public override long Position => _position;
            public override long Batch => _batch;
            public override DataViewSchema Schema => _parent.Schema;

            public override bool MoveNext()
            {
                if (_at + 1 >= _end)
                {
                    _at = _end;
                    return false;
                }
                _at++;
                _position++;
                return true;
            }

            public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = _ids[Row()];
            public override bool IsColumnActive(DataViewSchema.Column column) => true;

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                RowChecks.CheckColumn(Schema, column);
                return _getters[column.Index] as ValueGetter<TValue> ?? throw RowChecks.WrongGetterType(column, typeof(TValue));
            }
        }
    }

    /// <summary>Deep copies of vector values, so cached rows never alias a cursor's reused buffers.</summary>
    internal static class BufferCopy
    {
        public static T Copy<T>(T value) => CopyInto(value, default);

        public static T CopyInto<T>(T value, T destination) => Dispatch<T>.Copy(value, destination);

        private static class Dispatch<T>
        {
            public static readonly Func<T, T, T> Copy = Make();

            private static Func<T, T, T> Make()
            {
                if (!(typeof(T).IsGenericType && typeof(T).GetGenericTypeDefinition() == typeof(VBuffer<>)))
                    return (v, _) => v;
                var method = typeof(BufferCopy).GetMethod(nameof(CopyVector), BindingFlags.NonPublic | BindingFlags.Static).MakeGenericMethod(typeof(T).GetGenericArguments()[0]);
                return (Func<T, T, T>)method.CreateDelegate(typeof(Func<T, T, T>));
            }
        }

        private static VBuffer<TItem> CopyVector<TItem>(VBuffer<TItem> value, VBuffer<TItem> destination)
        {
            value.CopyTo(ref destination);
            return destination;
        }
    }
}
