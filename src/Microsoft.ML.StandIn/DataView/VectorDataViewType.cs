using System.Collections.Immutable;

namespace Microsoft.ML.Data
{
    /// <summary>A vector of a primitive item type, of known size (product of dimensions) or variable size (0).</summary>
    public sealed class VectorDataViewType : StructuredDataViewType
    {
        public VectorDataViewType(PrimitiveDataViewType itemType, int size = 0)
            : base(GetRawType(itemType))
        {
            if (size < 0)
                throw new ArgumentOutOfRangeException(nameof(size), "Size must be non-negative.");
            ItemType = itemType;
            Size = size;
            Dimensions = size == 0 ? ImmutableArray<int>.Empty : ImmutableArray.Create(size);
        }

        public VectorDataViewType(PrimitiveDataViewType itemType, params int[] dimensions)
            : this(itemType, dimensions == null ? throw new ArgumentNullException(nameof(dimensions)) : ImmutableArray.Create(dimensions))
        {
        }

        public VectorDataViewType(PrimitiveDataViewType itemType, ImmutableArray<int> dimensions)
            : base(GetRawType(itemType))
        {
            if (dimensions.Length == 0)
                throw new ArgumentOutOfRangeException(nameof(dimensions), "Dimensions must not be empty.");
            if (dimensions.Any(d => d < 0))
                throw new ArgumentOutOfRangeException(nameof(dimensions), "Dimensions must be non-negative.");
            ItemType = itemType;
            Dimensions = dimensions;
            long size = 1;
            foreach (int d in dimensions)
                size = checked(size * d);
            Size = dimensions.Any(d => d == 0) ? 0 : checked((int)size);
        }

        public ImmutableArray<int> Dimensions { get; }
        public bool IsKnownSize => Size > 0;
        public PrimitiveDataViewType ItemType { get; }
        public int Size { get; }

        private static Type GetRawType(PrimitiveDataViewType itemType)
            => typeof(VBuffer<>).MakeGenericType((itemType ?? throw new ArgumentNullException(nameof(itemType))).RawType);

        public override bool Equals(DataViewType other)
        {
            if (ReferenceEquals(this, other))
                return true;
            if (other is not VectorDataViewType vector || Size != vector.Size || !ItemType.Equals(vector.ItemType))
                return false;
            if (Dimensions.Length != vector.Dimensions.Length)
                return Dimensions.Length <= 1 && vector.Dimensions.Length <= 1;
            for (int i = 0; i < Dimensions.Length; i++)
            {
                if (Dimensions[i] != vector.Dimensions[i])
                    return false;
            }
            return true;
        }

        public override bool Equals(object other) => other is DataViewType type && Equals(type);

        public override int GetHashCode() => HashCode.Combine(ItemType, Size);

        public override string ToString()
        {
            if (Size == 0 && Dimensions.Length <= 1)
                return $"Vector<{ItemType}>";
            return $"Vector<{ItemType}, {string.Join(", ", Dimensions)}>";
        }
    }
}
