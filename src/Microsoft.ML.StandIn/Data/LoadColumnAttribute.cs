namespace Microsoft.ML.Data
{
    /// <summary>Which source column(s) of a text file a field or property is loaded from.</summary>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
    public sealed class LoadColumnAttribute : Attribute
    {
        public LoadColumnAttribute(int fieldIndex)
        {
            if (fieldIndex < 0)
                throw new ArgumentOutOfRangeException(nameof(fieldIndex), "fieldIndex must be non-negative");
            Sources = new[] { (fieldIndex, fieldIndex) };
        }

        public LoadColumnAttribute(int start, int end)
        {
            if (start < 0 || end < start)
                throw new ArgumentOutOfRangeException(nameof(end), $"Invalid column range {start}-{end}.");
            Sources = new[] { (start, end) };
        }

        public LoadColumnAttribute(int[] columnIndexes)
        {
            if (columnIndexes == null || columnIndexes.Length == 0 || columnIndexes.Any(i => i < 0))
                throw new ArgumentOutOfRangeException(nameof(columnIndexes), "columnIndexes must be non-empty and non-negative");
            Sources = columnIndexes.Select(i => (i, i)).ToArray();
        }

        internal (int Min, int Max)[] Sources { get; }
    }
}
