using System.Collections;

namespace Microsoft.ML.Data
{
    /// <summary>A dense or sparse vector value: logical length, explicit values, and (when sparse) their indices.</summary>
    public readonly struct VBuffer<T> : IEnumerable
    {
        private readonly T[] _values;
        private readonly int[] _indices;
        private readonly int _count;

        public readonly int Length;

        public VBuffer(int length, T[] values, int[] indices = null)
        {
            if (length < 0)
                throw new ArgumentOutOfRangeException(nameof(length), "length must be non-negative");
            if (values == null && length > 0)
                throw new ArgumentNullException(nameof(values));
            if (values != null && values.Length < length)
                throw new ArgumentException($"values has {values.Length} elements, fewer than the length {length}.", nameof(values));
            Length = length;
            _count = length;
            _values = values;
            _indices = indices;
        }

        public VBuffer(int length, int count, T[] values, int[] indices)
        {
            if (length < 0)
                throw new ArgumentOutOfRangeException(nameof(length), "length must be non-negative");
            if (count < 0 || count > length)
                throw new ArgumentOutOfRangeException(nameof(count), $"count {count} must be between 0 and length {length}.");
            if (count > 0 && (values == null || values.Length < count))
                throw new ArgumentException($"values must hold at least {count} elements.", nameof(values));
            if (count < length && (indices == null || indices.Length < count))
                throw new ArgumentException($"a sparse vector needs at least {count} indices.", nameof(indices));
            Length = length;
            _count = count;
            _values = values;
            _indices = indices;
        }

        public bool IsDense => Length == _count;

        public ReadOnlySpan<T> GetValues() => _values == null ? ReadOnlySpan<T>.Empty : _values.AsSpan(0, _count);

        public ReadOnlySpan<int> GetIndices() => IsDense || _indices == null ? ReadOnlySpan<int>.Empty : _indices.AsSpan(0, _count);

        internal T[] GetValuesArray() => _values;
        internal int[] GetIndicesArray() => _indices;

        public void CopyToDense(ref VBuffer<T> destination)
        {
            var editor = VBufferEditor.Create(ref destination, Length);
            CopyTo(editor.Values);
            destination = editor.Commit();
        }

        public void CopyTo(ref VBuffer<T> destination)
        {
            if (IsDense)
            {
                var editor = VBufferEditor.Create(ref destination, Length);
                GetValues().CopyTo(editor.Values);
                destination = editor.Commit();
            }
            else
            {
                var editor = VBufferEditor.Create(ref destination, Length, _count);
                GetValues().CopyTo(editor.Values);
                GetIndices().CopyTo(editor.Indices);
                destination = editor.Commit();
            }
        }

        public void CopyTo(ref VBuffer<T> destination, int sourceIndex, int length)
        {
            if (sourceIndex < 0 || length < 0 || sourceIndex > Length - length)
                throw new ArgumentOutOfRangeException(nameof(sourceIndex), $"Range [{sourceIndex}, {sourceIndex + length}) is outside the vector of length {Length}.");
            var editor = VBufferEditor.Create(ref destination, length);
            var dense = new T[Length];
            CopyTo(dense);
            dense.AsSpan(sourceIndex, length).CopyTo(editor.Values);
            destination = editor.Commit();
        }

        public void CopyTo(Span<T> destination) => CopyTo(destination, 0);

        public void CopyTo(Span<T> destination, int destinationIndex, T defaultValue = default)
        {
            if (destinationIndex < 0 || destination.Length - destinationIndex < Length)
                throw new ArgumentException($"The destination has room for {destination.Length - destinationIndex} values at index {destinationIndex}, but the vector has length {Length}.", nameof(destination));
            var target = destination.Slice(destinationIndex, Length);
            if (IsDense)
            {
                GetValues().CopyTo(target);
                return;
            }
            target.Fill(defaultValue);
            var values = GetValues();
            var indices = GetIndices();
            for (int i = 0; i < values.Length; i++)
                target[indices[i]] = values[i];
        }

        public static void Copy(T[] source, int sourceIndex, ref VBuffer<T> destination, int length)
        {
            if (source == null)
                throw new ArgumentNullException(nameof(source));
            if (sourceIndex < 0 || length < 0 || sourceIndex > source.Length - length)
                throw new ArgumentOutOfRangeException(nameof(sourceIndex));
            var editor = VBufferEditor.Create(ref destination, length);
            source.AsSpan(sourceIndex, length).CopyTo(editor.Values);
            destination = editor.Commit();
        }

        public IEnumerable<KeyValuePair<int, T>> Items(bool all = false)
        {
            var values = _values;
            var indices = _indices;
            int count = _count;
            int length = Length;
            if (IsDense)
            {
                for (int i = 0; i < length; i++)
                    yield return new KeyValuePair<int, T>(i, values[i]);
            }
            else if (!all)
            {
                for (int i = 0; i < count; i++)
                    yield return new KeyValuePair<int, T>(indices[i], values[i]);
            }
            else
            {
                int next = 0;
                for (int i = 0; i < length; i++)
                {
                    if (next < count && indices[next] == i)
                        yield return new KeyValuePair<int, T>(i, values[next++]);
                    else
                        yield return new KeyValuePair<int, T>(i, default);
                }
            }
        }

        public IEnumerable<T> DenseValues()
        {
            foreach (var item in Items(all: true))
                yield return item.Value;
        }

        public void GetItemOrDefault(int index, ref T destination) => destination = GetItemOrDefault(index);

        public T GetItemOrDefault(int index)
        {
            if ((uint)index >= (uint)Length)
                throw new ArgumentOutOfRangeException(nameof(index), $"Index {index} is outside the vector of length {Length}.");
            if (IsDense)
                return _values[index];
            int at = GetIndices().BinarySearch(index);
            return at >= 0 ? _values[at] : default;
        }

        public IEnumerator GetEnumerator() => Items(all: true).GetEnumerator();

        public override string ToString() => IsDense
            ? $"[{string.Join(", ", GetValues().ToArray())}]"
            : $"[{Length}: {string.Join(", ", Items().Select(kv => $"{kv.Key}:{kv.Value}"))}]";
    }
}
