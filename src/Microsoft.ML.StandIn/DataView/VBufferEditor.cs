namespace Microsoft.ML.Data
{
    /// <summary>Creates editors that fill a <see cref="VBuffer{T}"/> in place, reusing its buffers where they are large enough.</summary>
    public static class VBufferEditor
    {
        public static VBufferEditor<T> Create<T>(ref VBuffer<T> destination, int newLogicalLength, int? valuesCount = null,
            int? maxValuesCapacity = null, bool keepOldOnResize = false, bool requireIndicesOnDense = false)
        {
            if (newLogicalLength < 0)
                throw new ArgumentOutOfRangeException(nameof(newLogicalLength), "newLogicalLength must be non-negative");
            int count = valuesCount ?? newLogicalLength;
            if (count < 0 || count > newLogicalLength)
                throw new ArgumentOutOfRangeException(nameof(valuesCount), $"valuesCount {count} must be between 0 and {newLogicalLength}.");
            var values = destination.GetValuesArray();
            var indices = destination.GetIndicesArray();
            bool newValues = false;
            bool newIndices = false;
            if (values == null || values.Length < count)
            {
                int capacity = Math.Max(count, maxValuesCapacity.HasValue ? Math.Min(maxValuesCapacity.Value, newLogicalLength) : count);
                var grown = new T[Math.Max(capacity, count)];
                if (keepOldOnResize && values != null)
                    Array.Copy(values, grown, Math.Min(values.Length, grown.Length));
                values = grown;
                newValues = true;
            }
            bool needIndices = count < newLogicalLength || requireIndicesOnDense;
            if (needIndices && (indices == null || indices.Length < count))
            {
                var grown = new int[count];
                if (keepOldOnResize && indices != null)
                    Array.Copy(indices, grown, Math.Min(indices.Length, grown.Length));
                indices = grown;
                newIndices = true;
            }
            return new VBufferEditor<T>(newLogicalLength, count, values, indices, newValues, newIndices);
        }

        public static VBufferEditor<T> CreateFromBuffer<T>(ref VBuffer<T> destination)
        {
            var values = destination.GetValuesArray() ?? Array.Empty<T>();
            int count = destination.GetValues().Length;
            return new VBufferEditor<T>(destination.Length, count, values, destination.GetIndicesArray(), false, false);
        }
    }

    public readonly ref struct VBufferEditor<T>
    {
        private readonly int _logicalLength;
        private readonly T[] _values;
        private readonly int[] _indices;

        public readonly Span<T> Values;
        public readonly Span<int> Indices;

        internal VBufferEditor(int logicalLength, int physicalCount, T[] values, int[] indices, bool createdNewValues, bool createdNewIndices)
        {
            _logicalLength = logicalLength;
            _values = values;
            _indices = indices;
            Values = values.AsSpan(0, physicalCount);
            Indices = indices == null ? Span<int>.Empty : indices.AsSpan(0, Math.Min(physicalCount, indices.Length));
            CreatedNewValues = createdNewValues;
            CreatedNewIndices = createdNewIndices;
        }

        public bool CreatedNewValues { get; }
        public bool CreatedNewIndices { get; }

        public VBuffer<T> Commit() => new VBuffer<T>(_logicalLength, Values.Length, _values, _indices);

        public VBuffer<T> CommitTruncated(int physicalValuesCount)
        {
            if (physicalValuesCount < 0 || physicalValuesCount > Values.Length)
                throw new ArgumentOutOfRangeException(nameof(physicalValuesCount));
            return new VBuffer<T>(_logicalLength, physicalValuesCount, _values, _indices);
        }
    }
}
