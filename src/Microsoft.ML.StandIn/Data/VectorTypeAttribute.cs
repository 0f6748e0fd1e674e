namespace Microsoft.ML.Data
{
    /// <summary>Marks an array member as a vector column of fixed dimensions (without it, the vector has variable size).</summary>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
    public sealed class VectorTypeAttribute : Attribute
    {
        public VectorTypeAttribute()
        {
            Dims = Array.Empty<int>();
        }

        public VectorTypeAttribute(int size)
        {
            if (size < 0)
                throw new ArgumentOutOfRangeException(nameof(size), "size must be non-negative");
            Dims = size == 0 ? Array.Empty<int>() : new[] { size };
        }

        public VectorTypeAttribute(params int[] dimensions)
        {
            if (dimensions == null || dimensions.Any(d => d <= 0))
                throw new ArgumentOutOfRangeException(nameof(dimensions), "dimensions must be positive");
            Dims = dimensions.ToArray();
        }

        internal int[] Dims { get; }
    }
}
