using System.Reflection;

namespace Microsoft.ML.Data
{
    /// <summary>The lazy view a <see cref="TextLoader"/> returns for a stream source.</summary>
    internal sealed class TextDataView : IDataView
    {
        private readonly IMultiStreamSource _source;
        private readonly TextLoader.Options _options;
        private readonly TextColumnPlan[] _plan;

        public TextDataView(IMultiStreamSource source, TextLoader.Options options, TextColumnPlan[] plan, DataViewSchema schema)
        {
            _source = source;
            _options = options;
            _plan = plan;
            Schema = schema;
            for (int i = 0; i < source.Count; i++)
            {
                string path = source.GetPathOrNull(i);
                if (path != null && !File.Exists(path))
                    throw new FileNotFoundException($"The data file '{path}' does not exist.", path);
            }
        }

        public bool CanShuffle => false;
        public DataViewSchema Schema { get; }
        public long? GetRowCount() => null;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random rand = null)
            => new Cursor(this, Active(columnsNeeded), Enumerable.Range(0, _source.Count).Select(i => (i, 0L, long.MaxValue)).ToArray(), 0);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random rand = null)
        {
            var active = Active(columnsNeeded);
            string path = _source.Count == 1 ? _source.GetPathOrNull(0) : null;
            long length = path != null ? new FileInfo(path).Length : 0;
            if (n <= 1 || path == null || length < (1 << 20) || _options.MaxRows.HasValue)
                return new[] { GetRowCursor(columnsNeeded, rand) };
            var cursors = new DataViewRowCursor[n];
            for (int k = 0; k < n; k++)
            {
                long start = length * k / n;
                long end = length * (k + 1) / n;
                cursors[k] = new Cursor(this, active, new[] { (0, start, end) }, k);
            }
            return cursors;
        }

        private bool[] Active(IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            var active = new bool[Schema.Count];
            foreach (var c in columnsNeeded ?? Enumerable.Empty<DataViewSchema.Column>())
                active[c.Index] = true;
            return active;
        }

        private sealed class Cursor : DataViewRowCursor
        {
            private readonly TextDataView _parent;
            private readonly bool[] _active;
            private readonly (int File, long Start, long End)[] _ranges;
            private readonly long _batch;
            private readonly LineFields _fields = new();
            private readonly Delegate[] _getters;
            private int _rangeIndex = -1;
            private TextFileReader _reader;
            private string _file;
            private long _position = -1;
            private long _lineStart;
            private long _lineNumber;
            private bool _done;

            public Cursor(TextDataView parent, bool[] active, (int, long, long)[] ranges, long batch)
            {
                _parent = parent;
                _active = active;
                _ranges = ranges;
                _batch = batch;
                _getters = new Delegate[active.Length];
                for (int i = 0; i < active.Length; i++)
                {
                    if (!active[i])
                        continue;
                    var plan = parent._plan[i];
                    var method = typeof(Cursor).GetMethod(plan.IsVector ? nameof(MakeVectorGetter) : nameof(MakeScalarGetter), BindingFlags.NonPublic | BindingFlags.Instance)
                        .MakeGenericMethod(plan.ItemType.RawType);
                    _getters[i] = (Delegate)method.Invoke(this, new object[] { plan });
                }
            }

            public override long Position => _position;
            public override long Batch => _batch;
            public override DataViewSchema Schema => _parent.Schema;

            public override bool MoveNext()
            {
                if (_done)
                    return false;
                if (_parent._options.MaxRows is long max && _position + 1 >= max)
                    return Finish();
                while (true)
                {
                    if (_reader == null && !OpenNext())
                        return Finish();
                    string line = _reader.ReadLine();
                    if (line == null)
                    {
                        _reader.Dispose();
                        _reader = null;
                        continue;
                    }
                    _lineStart = _reader.LineStart;
                    _lineNumber = _reader.LineNumber;
                    if (_parent._options.HasHeader && _lineStart == 0)
                        continue;
                    if (line.Length == 0)
                        continue;
                    _fields.Split(line, _parent._options, _file, _lineNumber, _lineStart);
                    _position++;
                    return true;
                }
            }

            private bool Finish()
            {
                _done = true;
                _reader?.Dispose();
                _reader = null;
                return false;
            }

            private bool OpenNext()
            {
                if (++_rangeIndex >= _ranges.Length)
                    return false;
                var (file, start, end) = _ranges[_rangeIndex];
                _file = _parent._source.GetPathOrNull(file) ?? $"stream {file}";
                _reader = new TextFileReader(_parent._source.Open(file), start, end);
                return true;
            }

            public override ValueGetter<DataViewRowId> GetIdGetter()
                => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_lineStart, (ulong)_ranges[Math.Max(0, _rangeIndex)].File);

            public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                RowChecks.CheckColumn(Schema, column);
                if (!_active[column.Index])
                    throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor; request it in columnsNeeded.");
                return _getters[column.Index] as ValueGetter<TValue> ?? throw RowChecks.WrongGetterType(column, typeof(TValue));
            }

            private FormatException Malformed(TextColumnPlan plan, int field, string detail)
                => new FormatException($"Malformed row in file '{_file}', {LineFields.Where(_lineNumber, _lineStart)}: column '{plan.Name}' (source field {field}) {detail}.");

            private ValueGetter<T> MakeScalarGetter<T>(TextColumnPlan plan)
            {
                int field = plan.Ranges[0].Min;
                if (typeof(T) == typeof(ReadOnlyMemory<char>))
                {
                    return (ValueGetter<T>)(Delegate)(ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> dst) =>
                        dst = field < _fields.Count ? _fields.Text(field) : ReadOnlyMemory<char>.Empty);
                }
                var parse = (TextValueParser.Parser<T>)TextValueParser.For(plan.ItemType, _parent._options.MissingRealsAsNaNs);
                return (ref T dst) =>
                {
                    if (field >= _fields.Count)
                    {
                        parse(ReadOnlySpan<char>.Empty, out dst);
                        return;
                    }
                    var text = _fields.Text(field);
                    if (!parse(text.Span, out dst))
                        throw Malformed(plan, field, $"has '{text}', which is not a valid {plan.ItemType}");
                };
            }

            private ValueGetter<VBuffer<T>> MakeVectorGetter<T>(TextColumnPlan plan)
            {
                bool isText = typeof(T) == typeof(ReadOnlyMemory<char>);
                var parse = isText ? null : (TextValueParser.Parser<T>)TextValueParser.For(plan.ItemType, _parent._options.MissingRealsAsNaNs);
                int fixedSize = ((VectorDataViewType)plan.Type).Size;
                return (ref VBuffer<T> dst) =>
                {
                    int size = fixedSize;
                    if (size == 0)
                    {
                        size = 0;
                        foreach (var (min, max) in plan.Ranges)
                            size += Math.Max(0, (max ?? (_fields.Count - 1)) - min + 1);
                    }
                    var editor = VBufferEditor.Create(ref dst, size);
                    int k = 0;
                    foreach (var (min, max) in plan.Ranges)
                    {
                        int last = max ?? (_fields.Count - 1);
                        for (int f = min; f <= last; f++, k++)
                        {
                            if (isText)
                            {
                                editor.Values[k] = (T)(object)(f < _fields.Count ? _fields.Text(f) : ReadOnlyMemory<char>.Empty);
                                continue;
                            }
                            var text = f < _fields.Count ? _fields.Text(f) : ReadOnlyMemory<char>.Empty;
                            if (!parse(text.Span, out editor.Values[k]))
                                throw Malformed(plan, f, $"has '{text}', which is not a valid {plan.ItemType}");
                        }
                    }
                    dst = editor.Commit();
                };
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                    _reader?.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}
