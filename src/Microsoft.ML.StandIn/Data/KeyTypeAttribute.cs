namespace Microsoft.ML.Data
{
    /// <summary>Marks an unsigned integer member as a key column with the given cardinality.</summary>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
    public sealed class KeyTypeAttribute : Attribute
    {
        public KeyTypeAttribute()
        {
        }

        public KeyTypeAttribute(ulong count)
        {
            if (count == 0)
                throw new ArgumentOutOfRangeException(nameof(count), "count must be positive");
            Count = count;
        }

        internal ulong Count { get; }
    }
}
