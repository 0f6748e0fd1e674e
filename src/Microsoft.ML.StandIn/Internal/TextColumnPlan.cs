namespace Microsoft.ML.Data
{
    /// <summary>One output column of the text loader: type and the source field indices it reads.</summary>
    internal sealed class TextColumnPlan
    {
        private TextColumnPlan(string name, DataViewType type, PrimitiveDataViewType itemType, (int Min, int? Max)[] ranges, bool isVector, ulong keyCount)
        {
            Name = name;
            Type = type;
            ItemType = itemType;
            Ranges = ranges;
            IsVector = isVector;
            KeyCount = keyCount;
        }

        public string Name { get; }
        public DataViewType Type { get; }
        public PrimitiveDataViewType ItemType { get; }
        public (int Min, int? Max)[] Ranges { get; }
        public bool IsVector { get; }
        public ulong KeyCount { get; }

        public static TextColumnPlan Create(TextLoader.Column column)
        {
            if (column == null || string.IsNullOrEmpty(column.Name))
                throw new ArgumentOutOfRangeException(nameof(column), "Every text loader column needs a name.");
            if (column.Source == null || column.Source.Length == 0)
                throw new ArgumentOutOfRangeException(nameof(column), $"Text loader column '{column.Name}' has no source index.");
            var ranges = column.Source.Select(r =>
            {
                if (r.AllOther || r.AutoEnd)
                    throw new NotSupportedException($"Text loader column '{column.Name}': AllOther/AutoEnd ranges are not supported.");
                return (r.Min, r.VariableEnd ? (int?)null : r.Max ?? r.Min);
            }).ToArray();
            bool isVector = ranges.Length > 1 || ranges[0].Item2 != ranges[0].Min || column.Source.Any(r => r.ForceVector);
            ulong keyCount = column.KeyCount?.Count ?? 0;
            var item = ItemTypeFor(column.Name, column.DataKind, keyCount, column.KeyCount != null);
            if (!isVector)
                return new TextColumnPlan(column.Name, item, item, ranges, false, keyCount);
            bool variable = ranges.Any(r => r.Item2 == null);
            int size = variable ? 0 : ranges.Sum(r => r.Item2.Value - r.Min + 1);
            return new TextColumnPlan(column.Name, new VectorDataViewType(item, size), item, ranges, true, keyCount);
        }

        private static PrimitiveDataViewType ItemTypeFor(string name, DataKind kind, ulong keyCount, bool isKey)
        {
            if (isKey)
            {
                var raw = kind switch
                {
                    DataKind.Byte => typeof(byte),
                    DataKind.UInt16 => typeof(ushort),
                    DataKind.UInt32 => typeof(uint),
                    DataKind.UInt64 => typeof(ulong),
                    _ => throw new ArgumentOutOfRangeException(nameof(kind), $"Text loader column '{name}': a key column must be Byte, UInt16, UInt32 or UInt64, not {kind}."),
                };
                if (keyCount == 0)
                    throw new ArgumentOutOfRangeException(nameof(keyCount), $"Text loader column '{name}': a key column needs a positive KeyCount.");
                return new KeyDataViewType(raw, keyCount);
            }
            return kind switch
            {
                DataKind.Single => NumberDataViewType.Single,
                DataKind.Double => NumberDataViewType.Double,
                DataKind.SByte => NumberDataViewType.SByte,
                DataKind.Byte => NumberDataViewType.Byte,
                DataKind.Int16 => NumberDataViewType.Int16,
                DataKind.UInt16 => NumberDataViewType.UInt16,
                DataKind.Int32 => NumberDataViewType.Int32,
                DataKind.UInt32 => NumberDataViewType.UInt32,
                DataKind.Int64 => NumberDataViewType.Int64,
                DataKind.UInt64 => NumberDataViewType.UInt64,
                DataKind.String => TextDataViewType.Instance,
                DataKind.Boolean => BooleanDataViewType.Instance,
                _ => throw new NotSupportedException($"Text loader column '{name}': data kind {kind} is not supported."),
            };
        }

        public DataViewSchema.Annotations SlotNames(string[] header)
        {
            if (header == null || !IsVector || Type is not VectorDataViewType { IsKnownSize: true } vector)
                return null;
            var names = new List<ReadOnlyMemory<char>>();
            foreach (var (min, max) in Ranges)
            {
                for (int i = min; i <= max.Value; i++)
                    names.Add((i < header.Length ? header[i] : "").AsMemory());
            }
            var values = names.ToArray();
            var builder = new DataViewSchema.Annotations.Builder();
            builder.Add(AnnotationKinds.SlotNames, new VectorDataViewType(TextDataViewType.Instance, vector.Size),
                (ref VBuffer<ReadOnlyMemory<char>> dst) => dst = new VBuffer<ReadOnlyMemory<char>>(values.Length, values));
            return builder.ToAnnotations();
        }
    }
}
