using System.Collections;
using Microsoft.ML.Data;

namespace Microsoft.ML
{
    /// <summary>What an estimator knows about a schema before any data is read: names, kinds and item types.</summary>
    public sealed class SchemaShape : IReadOnlyList<SchemaShape.Column>
    {
        private readonly Column[] _columns;

        public SchemaShape(IEnumerable<Column> columns)
        {
            if (columns == null)
                throw new ArgumentNullException(nameof(columns));
            _columns = columns.ToArray();
            if (_columns.Any(c => !c.IsValid))
                throw new ArgumentOutOfRangeException(nameof(columns), "Some of the columns are not valid (default-constructed).");
        }

        public int Count => _columns.Length;

        public Column this[int index] => _columns[index];

        public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>The shape of a schema (internal in ML.NET).</summary>
        internal static SchemaShape Create(DataViewSchema schema)
        {
            if (schema == null)
                throw new ArgumentNullException(nameof(schema));
            var columns = new List<Column>();
            foreach (var column in schema)
            {
                if (column.IsHidden)
                    continue;
                columns.Add(FromType(column.Name, column.Type, Create(column.Annotations.Schema)));
            }
            return new SchemaShape(columns);
        }

        internal static Column FromType(string name, DataViewType type, SchemaShape annotations = null)
        {
            var kind = type is VectorDataViewType v ? (v.IsKnownSize ? Column.VectorKind.Vector : Column.VectorKind.VariableVector) : Column.VectorKind.Scalar;
            var item = type is VectorDataViewType vector ? vector.ItemType : type;
            bool isKey = item is KeyDataViewType;
            // Keys are described by their raw item type, as ML.NET does.
            DataViewType itemType = isKey ? NumberForRaw(item.RawType) : item;
            return new Column(name, kind, itemType, isKey, annotations);
        }

        private static DataViewType NumberForRaw(Type raw)
            => raw == typeof(byte) ? NumberDataViewType.Byte : raw == typeof(ushort) ? NumberDataViewType.UInt16
             : raw == typeof(uint) ? NumberDataViewType.UInt32 : NumberDataViewType.UInt64;

        internal bool TryFindColumn(string name, out Column column)
        {
            for (int i = _columns.Length - 1; i >= 0; i--)
            {
                if (_columns[i].Name == name)
                {
                    column = _columns[i];
                    return true;
                }
            }
            column = default;
            return false;
        }

        public override string ToString() => string.Join(", ", _columns.Select(c => c.ToString()));

        /// <summary>One column of a shape.</summary>
        public struct Column
        {
            public enum VectorKind
            {
                Scalar,
                Vector,
                VariableVector,
            }

            public readonly string Name;
            public readonly VectorKind Kind;
            public readonly DataViewType ItemType;
            public readonly bool IsKey;
            public readonly SchemaShape Annotations;

            internal Column(string name, VectorKind vecKind, DataViewType itemType, bool isKey, SchemaShape annotations = null)
            {
                if (string.IsNullOrEmpty(name))
                    throw new ArgumentOutOfRangeException(nameof(name), "name cannot be null or empty");
                if (itemType == null)
                    throw new ArgumentNullException(nameof(itemType));
                if (itemType is KeyDataViewType || itemType is VectorDataViewType)
                    throw new ArgumentOutOfRangeException(nameof(itemType), "The item type of a SchemaShape column is primitive and not a key.");
                Name = name;
                Kind = vecKind;
                ItemType = itemType;
                IsKey = isKey;
                Annotations = annotations ?? new SchemaShape(Enumerable.Empty<Column>());
            }

            internal bool IsValid => Name != null;

            internal bool IsCompatibleWith(Column source)
            {
                if (!source.IsValid)
                    throw new ArgumentOutOfRangeException(nameof(source));
                if (Name != source.Name || Kind != source.Kind || !ItemType.Equals(source.ItemType) || IsKey != source.IsKey)
                    return false;
                foreach (var annotation in Annotations)
                {
                    if (!source.Annotations.TryFindColumn(annotation.Name, out var found) || !annotation.IsCompatibleWith(found))
                        return false;
                }
                return true;
            }

            internal string GetTypeString()
            {
                string result = IsKey ? $"Key<{ItemType}>" : ItemType.ToString();
                return Kind switch
                {
                    VectorKind.Vector => $"Vector<{result}>",
                    VectorKind.VariableVector => $"VarVector<{result}>",
                    _ => result,
                };
            }

            public override string ToString() => $"{Name}: {GetTypeString()}";
        }
    }
}
