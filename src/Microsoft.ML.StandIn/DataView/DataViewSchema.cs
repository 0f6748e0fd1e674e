using System.Collections;
using Microsoft.ML.Data;

namespace Microsoft.ML
{
    /// <summary>The columns of a data view: names, types, hidden flags and annotations.</summary>
    public sealed class DataViewSchema : IReadOnlyList<DataViewSchema.Column>
    {
        private readonly Column[] _columns;
        private readonly Dictionary<string, int> _nameToIndex;

        internal DataViewSchema(Column[] columns)
        {
            _columns = columns;
            _nameToIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var column in columns)
                _nameToIndex[column.Name] = column.Index;   // a later duplicate hides an earlier one
        }

        public int Count => _columns.Length;

        public Column this[int columnIndex]
        {
            get
            {
                if ((uint)columnIndex >= (uint)_columns.Length)
                    throw new ArgumentOutOfRangeException(nameof(columnIndex), $"Column index {columnIndex} is out of range: the schema has {_columns.Length} columns.");
                return _columns[columnIndex];
            }
        }

        public Column this[string name]
        {
            get
            {
                if (name == null)
                    throw new ArgumentNullException(nameof(name));
                if (!_nameToIndex.TryGetValue(name, out int index))
                    throw new ArgumentOutOfRangeException(nameof(name), $"Column '{name}' not found");
                return _columns[index];
            }
        }

        public Column? GetColumnOrNull(string name)
        {
            if (name == null)
                throw new ArgumentNullException(nameof(name));
            return _nameToIndex.TryGetValue(name, out int index) ? _columns[index] : null;
        }

        public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => string.Join(", ", _columns.Select(c => c.ToString()));

        internal static DataViewSchema Empty { get; } = new DataViewSchema(Array.Empty<Column>());

        /// <summary>One column of a schema.</summary>
        public struct Column
        {
            internal Column(string name, int index, bool isHidden, DataViewType type, Annotations annotations)
            {
                Name = name;
                Index = index;
                IsHidden = isHidden;
                Type = type;
                Annotations = annotations ?? Annotations.Empty;
            }

            public string Name { get; }
            public int Index { get; }
            public bool IsHidden { get; }
            public DataViewType Type { get; }
            public Annotations Annotations { get; }

            public override string ToString() => $"{Name} ({Index}): {Type}" + (IsHidden ? " (hidden)" : "");
        }

        /// <summary>A column description not bound to a schema.</summary>
        public struct DetachedColumn
        {
            public DetachedColumn(string name, DataViewType type, Annotations annotations = null)
            {
                Name = name ?? throw new ArgumentNullException(nameof(name));
                Type = type ?? throw new ArgumentNullException(nameof(type));
                Annotations = annotations ?? Annotations.Empty;
            }

            public DetachedColumn(Column column)
            {
                Name = column.Name;
                Type = column.Type;
                Annotations = column.Annotations;
            }

            public string Name { get; }
            public DataViewType Type { get; }
            public Annotations Annotations { get; }
        }

        /// <summary>Named, typed values attached to a column (slot names, key values, flags).</summary>
        public sealed class Annotations
        {
            private readonly Delegate[] _getters;

            internal Annotations(DataViewSchema schema, Delegate[] getters)
            {
                Schema = schema;
                _getters = getters;
            }

            public DataViewSchema Schema { get; }

            public static Annotations Empty { get; } = new Annotations(DataViewSchema.Empty, Array.Empty<Delegate>());

            public ValueGetter<TValue> GetGetter<TValue>(Column column)
            {
                if ((uint)column.Index >= (uint)_getters.Length || Schema[column.Index].Name != column.Name)
                    throw new ArgumentOutOfRangeException(nameof(column), $"Annotation '{column.Name}' is not part of these annotations.");
                if (_getters[column.Index] is ValueGetter<TValue> getter)
                    return getter;
                throw new InvalidOperationException(
                    $"Invalid call to '{nameof(GetGetter)}' for annotation '{column.Name}': expected type '{column.Type.RawType}', got '{typeof(TValue)}'.");
            }

            public void GetValue<TValue>(string kind, ref TValue value)
            {
                var column = Schema.GetColumnOrNull(kind)
                    ?? throw new InvalidOperationException($"Invalid call to '{nameof(GetValue)}': annotation '{kind}' does not exist.");
                GetGetter<TValue>(column)(ref value);
            }

            public override string ToString() => string.Join(", ", Schema.Select(c => c.Name));

            /// <summary>Builds a set of annotations.</summary>
            public sealed class Builder
            {
                private readonly List<(string Name, DataViewType Type, Delegate Getter, Annotations Annotations)> _items = new();

                public Builder()
                {
                }

                public void Add(Annotations annotations, Func<string, bool> selector)
                {
                    if (annotations == null)
                        throw new ArgumentNullException(nameof(annotations));
                    if (selector == null)
                        throw new ArgumentNullException(nameof(selector));
                    foreach (var column in annotations.Schema)
                    {
                        if (!column.IsHidden && selector(column.Name))
                            _items.Add((column.Name, column.Type, annotations._getters[column.Index], column.Annotations));
                    }
                }

                public void Add<TValue>(string name, DataViewType type, ValueGetter<TValue> getter, Annotations annotations = null)
                {
                    CheckName(name);
                    if (type == null)
                        throw new ArgumentNullException(nameof(type));
                    if (getter == null)
                        throw new ArgumentNullException(nameof(getter));
                    if (type.RawType != typeof(TValue))
                        throw new ArgumentException($"Annotation '{name}': type {type} has raw type {type.RawType}, but the getter returns {typeof(TValue)}.", nameof(getter));
                    _items.Add((name, type, getter, annotations));
                }

                public void Add(string name, DataViewType type, Delegate getter, Annotations annotations = null)
                {
                    CheckName(name);
                    if (type == null)
                        throw new ArgumentNullException(nameof(type));
                    if (getter == null)
                        throw new ArgumentNullException(nameof(getter));
                    var expected = typeof(ValueGetter<>).MakeGenericType(type.RawType);
                    if (getter.GetType() != expected)
                        throw new ArgumentException($"Annotation '{name}': getter must be {expected}, got {getter.GetType()}.", nameof(getter));
                    _items.Add((name, type, getter, annotations));
                }

                public void AddPrimitiveValue<TValue>(string name, PrimitiveDataViewType type, TValue value, Annotations annotations = null)
                {
                    if (type == null)
                        throw new ArgumentNullException(nameof(type));
                    if (type.RawType != typeof(TValue))
                        throw new ArgumentException($"Annotation '{name}': type {type} has raw type {type.RawType}, but the value is {typeof(TValue)}.", nameof(value));
                    Add(name, type, (ref TValue dst) => dst = value, annotations);
                }

                public Annotations ToAnnotations()
                {
                    var builder = new DataViewSchema.Builder();
                    foreach (var item in _items)
                        builder.AddColumn(item.Name, item.Type, item.Annotations);
                    return new Annotations(builder.ToSchema(), _items.Select(i => i.Getter).ToArray());
                }

                private static void CheckName(string name)
                {
                    if (string.IsNullOrEmpty(name))
                        throw new ArgumentOutOfRangeException(nameof(name), "name cannot be null or empty");
                }
            }
        }

        /// <summary>Builds a schema; a later column with the same name hides an earlier one.</summary>
        public sealed class Builder
        {
            private readonly List<DetachedColumn> _items = new();

            public Builder()
            {
            }

            public void AddColumn(string name, DataViewType type, Annotations annotations = null)
            {
                if (string.IsNullOrEmpty(name))
                    throw new ArgumentOutOfRangeException(nameof(name), "name cannot be null or empty");
                _items.Add(new DetachedColumn(name, type ?? throw new ArgumentNullException(nameof(type)), annotations));
            }

            public void AddColumns(IEnumerable<Column> source)
            {
                if (source == null)
                    throw new ArgumentNullException(nameof(source));
                foreach (var column in source)
                    _items.Add(new DetachedColumn(column));
            }

            public void AddColumns(IEnumerable<DetachedColumn> source)
            {
                if (source == null)
                    throw new ArgumentNullException(nameof(source));
                _items.AddRange(source);
            }

            public DataViewSchema ToSchema()
            {
                var lastIndex = new Dictionary<string, int>(StringComparer.Ordinal);
                for (int i = 0; i < _items.Count; i++)
                    lastIndex[_items[i].Name] = i;
                var columns = new Column[_items.Count];
                for (int i = 0; i < _items.Count; i++)
                    columns[i] = new Column(_items[i].Name, i, lastIndex[_items[i].Name] != i, _items[i].Type, _items[i].Annotations);
                return new DataViewSchema(columns);
            }
        }
    }
}
