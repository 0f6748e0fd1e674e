namespace Microsoft.ML.Data
{
    /// <summary>The type of a column: its .NET raw type plus ML.NET's logical meaning.</summary>
    public abstract class DataViewType : IEquatable<DataViewType>
    {
        private protected DataViewType(Type rawType)
        {
            RawType = rawType ?? throw new ArgumentNullException(nameof(rawType));
        }

        public Type RawType { get; }

        public abstract bool Equals(DataViewType other);

        public override bool Equals(object other) => other is DataViewType type && Equals(type);

        public override int GetHashCode() => RawType.GetHashCode();
    }

    public abstract class StructuredDataViewType : DataViewType
    {
        protected StructuredDataViewType(Type rawType)
            : base(rawType)
        {
        }
    }

    public abstract class PrimitiveDataViewType : DataViewType
    {
        protected PrimitiveDataViewType(Type rawType)
            : base(rawType)
        {
            if (rawType.IsGenericType && rawType.GetGenericTypeDefinition() == typeof(VBuffer<>))
                throw new ArgumentException("A primitive type cannot have a VBuffer raw type.", nameof(rawType));
        }
    }

    public sealed class TextDataViewType : PrimitiveDataViewType
    {
        private TextDataViewType()
            : base(typeof(ReadOnlyMemory<char>))
        {
        }

        public static TextDataViewType Instance { get; } = new TextDataViewType();

        public override bool Equals(DataViewType other) => ReferenceEquals(other, this);
        public override bool Equals(object other) => other is DataViewType type && Equals(type);
        public override int GetHashCode() => base.GetHashCode();
        public override string ToString() => "String";
    }

    public sealed class NumberDataViewType : PrimitiveDataViewType
    {
        private NumberDataViewType(Type rawType)
            : base(rawType)
        {
        }

        public static NumberDataViewType SByte { get; } = new NumberDataViewType(typeof(sbyte));
        public static NumberDataViewType Byte { get; } = new NumberDataViewType(typeof(byte));
        public static NumberDataViewType Int16 { get; } = new NumberDataViewType(typeof(short));
        public static NumberDataViewType UInt16 { get; } = new NumberDataViewType(typeof(ushort));
        public static NumberDataViewType Int32 { get; } = new NumberDataViewType(typeof(int));
        public static NumberDataViewType UInt32 { get; } = new NumberDataViewType(typeof(uint));
        public static NumberDataViewType Int64 { get; } = new NumberDataViewType(typeof(long));
        public static NumberDataViewType UInt64 { get; } = new NumberDataViewType(typeof(ulong));
        public static NumberDataViewType Single { get; } = new NumberDataViewType(typeof(float));
        public static NumberDataViewType Double { get; } = new NumberDataViewType(typeof(double));

        public override bool Equals(DataViewType other) => ReferenceEquals(other, this);
        public override bool Equals(object other) => other is DataViewType type && Equals(type);
        public override int GetHashCode() => base.GetHashCode();
        public override string ToString() => RawType.Name;
    }

    public sealed class BooleanDataViewType : PrimitiveDataViewType
    {
        private BooleanDataViewType()
            : base(typeof(bool))
        {
        }

        public static BooleanDataViewType Instance { get; } = new BooleanDataViewType();

        public override bool Equals(DataViewType other) => ReferenceEquals(other, this);
        public override bool Equals(object other) => other is DataViewType type && Equals(type);
        public override int GetHashCode() => base.GetHashCode();
        public override string ToString() => "Boolean";
    }

    public sealed class RowIdDataViewType : PrimitiveDataViewType
    {
        private RowIdDataViewType()
            : base(typeof(DataViewRowId))
        {
        }

        public static RowIdDataViewType Instance { get; } = new RowIdDataViewType();

        public override bool Equals(DataViewType other) => ReferenceEquals(other, this);
        public override bool Equals(object other) => other is DataViewType type && Equals(type);
        public override int GetHashCode() => base.GetHashCode();
        public override string ToString() => "DataViewRowId";
    }

    /// <summary>A categorical value stored as a 1-based unsigned index; 0 means missing.</summary>
    public sealed class KeyDataViewType : PrimitiveDataViewType
    {
        public KeyDataViewType(Type type, ulong count)
            : base(type)
        {
            if (!IsValidDataType(type))
                throw new ArgumentOutOfRangeException(nameof(type), $"Type is not valid, it must be {typeof(byte).Name}, {typeof(ushort).Name}, {typeof(uint).Name}, or {typeof(ulong).Name}.");
            if (count == 0 || count > MaxCount(type))
                throw new ArgumentOutOfRangeException(nameof(count), $"The cardinality of a {nameof(KeyDataViewType)} must not exceed {type.Name}.MaxValue and must be strictly positive, but got {count}.");
            Count = count;
        }

        public KeyDataViewType(Type type, int count)
            : this(type, count > 0 ? (ulong)count : throw new ArgumentOutOfRangeException(nameof(count), $"The cardinality of a {nameof(KeyDataViewType)} must be strictly positive, but got {count}."))
        {
        }

        public ulong Count { get; }

        public static bool IsValidDataType(Type type)
            => type == typeof(byte) || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong);

        private static ulong MaxCount(Type type)
            => type == typeof(byte) ? byte.MaxValue : type == typeof(ushort) ? ushort.MaxValue : type == typeof(uint) ? uint.MaxValue : ulong.MaxValue;

        public override bool Equals(DataViewType other)
            => ReferenceEquals(this, other) || other is KeyDataViewType key && key.RawType == RawType && key.Count == Count;

        public override bool Equals(object other) => other is DataViewType type && Equals(type);

        public override int GetHashCode() => HashCode.Combine(RawType, Count);

        public override string ToString() => $"Key<{RawType.Name}, 0-{Count - 1}>";
    }
}
