namespace Microsoft.ML.Data
{
    /// <summary>Reading the common annotations of a column.</summary>
    public static class SchemaAnnotationsExtensions
    {
        public static void GetKeyValues<TValue>(this DataViewSchema.Column column, ref VBuffer<TValue> keyValues)
            => column.Annotations.GetValue(AnnotationKinds.KeyValues, ref keyValues);

        public static bool HasKeyValues(this DataViewSchema.Column column, PrimitiveDataViewType keyValueItemType = null)
        {
            var item = column.Type is VectorDataViewType v ? v.ItemType : column.Type;
            if (item is not KeyDataViewType key)
                return false;
            var annotation = column.Annotations.Schema.GetColumnOrNull(AnnotationKinds.KeyValues);
            return annotation?.Type is VectorDataViewType values && values.Size == (int)key.Count
                && (keyValueItemType == null || values.ItemType.Equals(keyValueItemType));
        }

        public static void GetSlotNames(this DataViewSchema.Column column, ref VBuffer<ReadOnlyMemory<char>> slotNames)
            => column.Annotations.GetValue(AnnotationKinds.SlotNames, ref slotNames);

        public static bool HasSlotNames(this DataViewSchema.Column column)
            => column.Type is VectorDataViewType { IsKnownSize: true } vector
               && column.Annotations.Schema.GetColumnOrNull(AnnotationKinds.SlotNames)?.Type is VectorDataViewType names
               && names.Size == vector.Size && names.ItemType is TextDataViewType;

        public static bool IsNormalized(this DataViewSchema.Column column)
        {
            var annotation = column.Annotations.Schema.GetColumnOrNull(AnnotationKinds.IsNormalized);
            if (annotation?.Type is not BooleanDataViewType)
                return false;
            bool value = false;
            column.Annotations.GetValue(AnnotationKinds.IsNormalized, ref value);
            return value;
        }
    }

    /// <summary>Reading one column of a view as an enumerable.</summary>
    public static class ColumnCursorExtensions
    {
        public static IEnumerable<T> GetColumn<T>(this IDataView data, string columnName)
        {
            if (data == null)
                throw new ArgumentNullException(nameof(data));
            var column = Microsoft.ML.Runtime.Contracts.FindColumn(data.Schema, nameof(columnName), "requested", columnName);
            return GetColumn<T>(data, column);
        }

        public static IEnumerable<T> GetColumn<T>(this IDataView data, DataViewSchema.Column column)
        {
            if (data == null)
                throw new ArgumentNullException(nameof(data));
            var raw = column.Type.RawType;
            if (raw != typeof(T) && !(typeof(T).IsArray && column.Type is VectorDataViewType) && !(typeof(T) == typeof(string) && raw == typeof(ReadOnlyMemory<char>)))
                throw new InvalidOperationException($"Could not map a data view column '{column.Name}' of type {column.Type} to {typeof(T)}.");
            return Enumerate<T>(data, column);
        }

        private static IEnumerable<T> Enumerate<T>(IDataView data, DataViewSchema.Column column)
        {
            using var cursor = data.GetRowCursor(new[] { column });
            var read = ReadAs<T>(cursor, column);
            while (cursor.MoveNext())
                yield return read();
        }

        private static Func<T> ReadAs<T>(DataViewRow row, DataViewSchema.Column column)
        {
            var method = typeof(ColumnCursorExtensions).GetMethod(nameof(ReadRaw), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)
                .MakeGenericMethod(column.Type.RawType, typeof(T));
            return (Func<T>)method.Invoke(null, new object[] { row, column });
        }

        private static Func<T> ReadRaw<TRaw, T>(DataViewRow row, DataViewSchema.Column column)
        {
            var getter = row.GetGetter<TRaw>(column);
            var convert = typeof(T) == typeof(TRaw) ? (v => (T)(object)BufferCopy.Copy(v)) : MemberAccessConvert<TRaw, T>();
            return () =>
            {
                TRaw value = default;
                getter(ref value);
                return convert(value);
            };
        }

        private static Func<TRaw, T> MemberAccessConvert<TRaw, T>()
        {
            var convert = MemberAccess.FromColumn<TRaw>(typeof(T));
            return v => (T)convert(v);
        }
    }
}
