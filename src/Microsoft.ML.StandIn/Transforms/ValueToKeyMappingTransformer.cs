using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Transforms
{
    /// <summary>
    /// Maps values to keys 1..n from a dictionary built at fit time (0 = a value not in the dictionary, or missing).
    /// The dictionary is exposed as the output column's KeyValues annotation.
    /// </summary>
    public sealed class ValueToKeyMappingTransformer : OneToOneTransformerBase
    {
        internal const string LoaderSignature = "TermTransform";

        private readonly TermMap[] _maps;

        internal ValueToKeyMappingTransformer(IHostEnvironment env, (string, string)[] columns, TermMap[] maps)
            : base(Contracts.CheckValue(env, nameof(env)).Register(nameof(ValueToKeyMappingTransformer)), columns)
        {
            _maps = maps;
        }

        private protected override void SaveModel(ModelSaveContext ctx)
        {
            ctx.SetVersionInfo(LoaderSignature, 1);
            SaveColumns(ctx);
            foreach (var map in _maps)
                map.Save(ctx.Writer);
        }

        internal static ITransformer Load(IHostEnvironment env, ModelLoadContext ctx)
        {
            var columns = LoadColumns(ctx);
            var maps = columns.Select(_ => TermMap.Load(ctx.Reader, detail => ctx.Corrupt(detail))).ToArray();
            return new ValueToKeyMappingTransformer(env, columns, maps);
        }

        private protected override IRowMapper MakeRowMapper(DataViewSchema schema)
            => new ColumnFunctionMapper(ColumnPairs.Select((pair, i) =>
            {
                var input = Contracts.FindColumn(schema, nameof(schema), "input", pair.inputColumnName);
                var item = input.Type is VectorDataViewType v ? v.ItemType : input.Type;
                if (!item.Equals(_maps[i].ItemType))
                    throw Contracts.ExceptSchemaMismatch(nameof(schema), "input", input.Name, _maps[i].ItemType.ToString(), item.ToString());
                var keyType = new KeyDataViewType(typeof(uint), Math.Max(1, _maps[i].Count));
                DataViewType outType = input.Type is VectorDataViewType vec ? new VectorDataViewType(keyType, vec.Dimensions) : keyType;
                var builder = new DataViewSchema.Annotations.Builder();
                _maps[i].AddKeyValues(builder);
                var map = _maps[i];
                return new ColumnFunctionMapper.OutputSpec(new DataViewSchema.DetachedColumn(pair.outputColumnName, outType, builder.ToAnnotations()),
                    new[] { input.Index }, row => map.MakeGetter(row, input));
            }));
    }

    /// <summary>Estimator for <see cref="ValueToKeyMappingTransformer"/>: scans the data once to build each column's dictionary.</summary>
    public sealed class ValueToKeyMappingEstimator : IEstimator<ValueToKeyMappingTransformer>
    {
        public enum KeyOrdinality : byte
        {
            ByOccurrence = 0,
            ByValue = 1,
        }

        private readonly IHost _host;
        private readonly (string Output, string Input)[] _columns;
        private readonly int _maxKeys;
        private readonly KeyOrdinality _ordinality;
        private readonly bool _asText;
        private readonly IDataView _keyData;

        internal ValueToKeyMappingEstimator(IHostEnvironment env, (string, string)[] columns, int maximumNumberOfKeys, KeyOrdinality keyOrdinality,
            bool addKeyValueAnnotationsAsText, IDataView keyData)
        {
            _host = Contracts.CheckValue(env, nameof(env)).Register(nameof(ValueToKeyMappingEstimator));
            Contracts.CheckParam(maximumNumberOfKeys > 0, nameof(maximumNumberOfKeys), "Must be positive");
            foreach (var (o, i) in columns)
            {
                Contracts.CheckNonEmpty(o, "outputColumnName");
                Contracts.CheckNonEmpty(i, "inputColumnName");
            }
            _columns = columns;
            _maxKeys = maximumNumberOfKeys;
            _ordinality = keyOrdinality;
            _asText = addKeyValueAnnotationsAsText;
            _keyData = keyData;
        }

        public ValueToKeyMappingTransformer Fit(IDataView input)
        {
            Contracts.CheckValue(input, nameof(input));
            GetOutputSchema(SchemaShape.Create(input.Schema));
            var source = _keyData ?? input;
            var maps = new TermMap[_columns.Length];
            var columns = _columns.Select(c => _keyData != null
                ? Contracts.FindColumn(_keyData.Schema, "keyData", "key data", _keyData.Schema.Count == 1 ? _keyData.Schema[0].Name : c.Input)
                : Contracts.FindColumn(input.Schema, nameof(input), "input", c.Input)).ToArray();
            var builders = columns.Select(c => TermMap.CreateBuilder(c.Type is VectorDataViewType v ? v.ItemType : c.Type, _maxKeys, _asText)).ToArray();
            using (var cursor = source.GetRowCursor(columns))
            {
                var adders = columns.Select((c, i) => builders[i].MakeAdder(cursor, c)).ToArray();
                while (cursor.MoveNext())
                {
                    foreach (var add in adders)
                        add();
                }
            }
            for (int i = 0; i < maps.Length; i++)
                maps[i] = builders[i].Build(_ordinality == KeyOrdinality.ByValue);
            return new ValueToKeyMappingTransformer(_host, _columns.Select(c => (c.Output, c.Input)).ToArray(), maps);
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            Contracts.CheckValue(inputSchema, nameof(inputSchema));
            var result = inputSchema.ToDictionary(c => c.Name);
            foreach (var (output, input) in _columns)
            {
                var col = Contracts.FindColumn(inputSchema, nameof(inputSchema), "input", input);
                if (!TermMap.IsSupported(col.ItemType) && !col.IsKey)
                    throw Contracts.ExceptSchemaMismatch(nameof(inputSchema), "input", input, "String, Boolean or a number type (scalar or vector)", col.GetTypeString());
                var keyValuesType = _asText ? TextDataViewType.Instance : col.ItemType;
                var annotations = new SchemaShape(new[] { new SchemaShape.Column(AnnotationKinds.KeyValues, SchemaShape.Column.VectorKind.Vector, keyValuesType, false) });
                result[output] = new SchemaShape.Column(output, col.Kind, NumberDataViewType.UInt32, true, annotations);
            }
            return new SchemaShape(result.Values);
        }
    }

    /// <summary>A value dictionary: terms in key order; key k (1-based) is term k-1.</summary>
    internal abstract class TermMap
    {
        public abstract PrimitiveDataViewType ItemType { get; }
        public abstract int Count { get; }
        public abstract void AddKeyValues(DataViewSchema.Annotations.Builder builder);
        public abstract Delegate MakeGetter(DataViewRow row, DataViewSchema.Column input);
        public abstract void Save(BinaryWriter w);

        public static bool IsSupported(DataViewType item)
            => item is TextDataViewType || item is BooleanDataViewType || item is NumberDataViewType;

        public static Builder CreateBuilder(DataViewType item, int maxKeys, bool asText)
        {
            if (item is KeyDataViewType)
                throw new NotSupportedException("Mapping key columns to new keys is not supported by the stand-in.");
            var method = typeof(TermMap).GetMethod(nameof(CreateTyped), BindingFlags.NonPublic | BindingFlags.Static).MakeGenericMethod(item.RawType);
            return (Builder)method.Invoke(null, new object[] { item, maxKeys, asText });
        }

        private static Builder CreateTyped<T>(PrimitiveDataViewType item, int maxKeys, bool asText) => new TypedBuilder<T>(item, maxKeys, asText);

        public static TermMap Load(BinaryReader r, Func<string, Exception> corrupt)
        {
            if (BinaryCodec.ReadType(r, corrupt) is not PrimitiveDataViewType item || !IsSupported(item))
                throw corrupt("invalid term dictionary item type");
            bool asText = r.ReadBoolean();
            var method = typeof(TermMap).GetMethod(nameof(LoadTyped), BindingFlags.NonPublic | BindingFlags.Static).MakeGenericMethod(item.RawType);
            try
            {
                return (TermMap)method.Invoke(null, new object[] { r, item, asText, corrupt });
            }
            catch (TargetInvocationException e) when (e.InnerException != null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }

        private static TermMap LoadTyped<T>(BinaryReader r, PrimitiveDataViewType item, bool asText, Func<string, Exception> corrupt)
        {
            int n = r.ReadInt32();
            if (n < 0 || n > r.BaseStream.Length - r.BaseStream.Position)
                throw corrupt($"invalid term count {n}");
            var terms = new T[n];
            for (int i = 0; i < n; i++)
                terms[i] = BinaryCodec.ReadPrimitive<T>(r);
            return new TypedMap<T>(item, terms, asText);
        }

        internal abstract class Builder
        {
            public abstract Action MakeAdder(DataViewRow row, DataViewSchema.Column column);
            public abstract TermMap Build(bool sortByValue);
        }

        private sealed class TypedBuilder<T> : Builder
        {
            private readonly PrimitiveDataViewType _item;
            private readonly int _max;
            private readonly bool _asText;
            private readonly List<T> _terms = new();
            private readonly HashSet<T> _seen;
            private readonly HashSet<string> _seenText;

            public TypedBuilder(PrimitiveDataViewType item, int max, bool asText)
            {
                _item = item;
                _max = max;
                _asText = asText;
                if (typeof(T) == typeof(ReadOnlyMemory<char>))
                    _seenText = new HashSet<string>(StringComparer.Ordinal);
                else
                    _seen = new HashSet<T>();
            }

            private void Add(T value)
            {
                if (_terms.Count >= _max || TypedMap<T>.IsMissing(value))
                    return;
                if (_seenText != null)
                {
                    string s = ((ReadOnlyMemory<char>)(object)value).ToString();
                    if (_seenText.Add(s))
                        _terms.Add((T)(object)s.AsMemory());
                }
                else if (_seen.Add(value))
                {
                    _terms.Add(value);
                }
            }

            public override Action MakeAdder(DataViewRow row, DataViewSchema.Column column)
            {
                if (column.Type is VectorDataViewType)
                {
                    var g = row.GetGetter<VBuffer<T>>(column);
                    var buffer = default(VBuffer<T>);
                    return () =>
                    {
                        g(ref buffer);
                        foreach (var v in buffer.DenseValues())
                            Add(v);
                    };
                }
                var s = row.GetGetter<T>(column);
                return () =>
                {
                    T v = default;
                    s(ref v);
                    Add(v);
                };
            }

            public override TermMap Build(bool sortByValue)
            {
                var terms = _terms.ToArray();
                if (sortByValue)
                {
                    if (typeof(T) == typeof(ReadOnlyMemory<char>))
                        Array.Sort(terms, (a, b) => string.CompareOrdinal(((ReadOnlyMemory<char>)(object)a).ToString(), ((ReadOnlyMemory<char>)(object)b).ToString()));
                    else
                        Array.Sort(terms);
                }
                return new TypedMap<T>(_item, terms, _asText);
            }
        }

        private sealed class TypedMap<T> : TermMap
        {
            private readonly PrimitiveDataViewType _item;
            private readonly T[] _terms;
            private readonly bool _asText;
            private readonly Dictionary<T, uint> _lookup;
            private readonly Dictionary<string, uint> _textLookup;

            public TypedMap(PrimitiveDataViewType item, T[] terms, bool asText)
            {
                _item = item;
                _terms = terms;
                _asText = asText;
                if (typeof(T) == typeof(ReadOnlyMemory<char>))
                {
                    _textLookup = new Dictionary<string, uint>(StringComparer.Ordinal);
                    for (int i = 0; i < terms.Length; i++)
                        _textLookup[((ReadOnlyMemory<char>)(object)terms[i]).ToString()] = (uint)i + 1;
                }
                else
                {
                    _lookup = new Dictionary<T, uint>();
                    for (int i = 0; i < terms.Length; i++)
                        _lookup[terms[i]] = (uint)i + 1;
                }
            }

            public override PrimitiveDataViewType ItemType => _item;
            public override int Count => _terms.Length;

            public static bool IsMissing(T value) => value is float f && float.IsNaN(f) || value is double d && double.IsNaN(d);

            private uint Map(T value)
            {
                if (_textLookup != null)
                {
                    var lookup = _textLookup.GetAlternateLookup<ReadOnlySpan<char>>();
                    return lookup.TryGetValue(((ReadOnlyMemory<char>)(object)value).Span, out uint k) ? k : 0;
                }
                return !IsMissing(value) && _lookup.TryGetValue(value, out uint key) ? key : 0;
            }

            public override void AddKeyValues(DataViewSchema.Annotations.Builder builder)
            {
                if (_asText && typeof(T) != typeof(ReadOnlyMemory<char>))
                {
                    var text = _terms.Select(t => (ReadOnlyMemory<char>)Convert.ToString(t, System.Globalization.CultureInfo.InvariantCulture).AsMemory()).ToArray();
                    builder.Add(AnnotationKinds.KeyValues, new VectorDataViewType(TextDataViewType.Instance, Math.Max(1, text.Length)),
                        (ref VBuffer<ReadOnlyMemory<char>> dst) => dst = BufferCopy.CopyInto(new VBuffer<ReadOnlyMemory<char>>(text.Length, text), dst));
                    return;
                }
                var terms = _terms;
                builder.Add(AnnotationKinds.KeyValues, new VectorDataViewType(_item, Math.Max(1, terms.Length)),
                    (ValueGetter<VBuffer<T>>)((ref VBuffer<T> dst) => dst = BufferCopy.CopyInto(new VBuffer<T>(terms.Length, terms), dst)));
            }

            public override Delegate MakeGetter(DataViewRow row, DataViewSchema.Column input)
            {
                if (input.Type is VectorDataViewType)
                {
                    var g = row.GetGetter<VBuffer<T>>(input);
                    var buffer = default(VBuffer<T>);
                    return (ValueGetter<VBuffer<uint>>)((ref VBuffer<uint> dst) =>
                    {
                        g(ref buffer);
                        var editor = VBufferEditor.Create(ref dst, buffer.Length);
                        int i = 0;
                        foreach (var v in buffer.DenseValues())
                            editor.Values[i++] = Map(v);
                        dst = editor.Commit();
                    });
                }
                var s = row.GetGetter<T>(input);
                return (ValueGetter<uint>)((ref uint dst) =>
                {
                    T v = default;
                    s(ref v);
                    dst = Map(v);
                });
            }

            public override void Save(BinaryWriter w)
            {
                BinaryCodec.WriteType(w, _item);
                w.Write(_asText);
                w.Write(_terms.Length);
                foreach (var t in _terms)
                    BinaryCodec.WritePrimitive(w, t);
            }
        }
    }
}
