using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Copies of one input column's values for a block of rows, so that the rows can be served after the input cursor has
/// moved past them. Only for ML.NET's value types (numbers, keys, booleans, text, dates, row ids) and vectors of them:
/// those are copied in full (vectors into buffers of their own); any other type cannot be kept safely.
/// </summary>
internal abstract class ColumnBuffer
{
    /// <summary>Copies the input row's current value into <paramref name="slot"/>.</summary>
    internal abstract void Read(int slot);

    /// <summary>A getter of the value in the slot <paramref name="slot"/> gives when called.</summary>
    internal abstract Delegate Getter(Func<int> slot);

    /// <summary>A buffer for <paramref name="column"/> of <paramref name="row"/>, or null when its type cannot be copied.</summary>
    internal static ColumnBuffer? Create(DataViewRow row, DataViewSchema.Column column, int capacity)
    {
        Type raw = column.Type is VectorDataViewType vector ? vector.ItemType.RawType : column.Type.RawType;
        bool isVector = column.Type is VectorDataViewType;
        return raw switch
        {
            _ when raw == typeof(float) => Make<float>(row, column, capacity, isVector),
            _ when raw == typeof(double) => Make<double>(row, column, capacity, isVector),
            _ when raw == typeof(sbyte) => Make<sbyte>(row, column, capacity, isVector),
            _ when raw == typeof(byte) => Make<byte>(row, column, capacity, isVector),
            _ when raw == typeof(short) => Make<short>(row, column, capacity, isVector),
            _ when raw == typeof(ushort) => Make<ushort>(row, column, capacity, isVector),
            _ when raw == typeof(int) => Make<int>(row, column, capacity, isVector),
            _ when raw == typeof(uint) => Make<uint>(row, column, capacity, isVector),
            _ when raw == typeof(long) => Make<long>(row, column, capacity, isVector),
            _ when raw == typeof(ulong) => Make<ulong>(row, column, capacity, isVector),
            _ when raw == typeof(bool) => Make<bool>(row, column, capacity, isVector),
            _ when raw == typeof(ReadOnlyMemory<char>) => Make<ReadOnlyMemory<char>>(row, column, capacity, isVector),
            _ when raw == typeof(DateTime) => Make<DateTime>(row, column, capacity, isVector),
            _ when raw == typeof(DateTimeOffset) => Make<DateTimeOffset>(row, column, capacity, isVector),
            _ when raw == typeof(TimeSpan) => Make<TimeSpan>(row, column, capacity, isVector),
            _ when raw == typeof(DataViewRowId) => Make<DataViewRowId>(row, column, capacity, isVector),
            _ => null,
        };
    }

    private static ColumnBuffer Make<T>(DataViewRow row, DataViewSchema.Column column, int capacity, bool isVector) =>
        isVector ? new Vectors<T>(row.GetGetter<VBuffer<T>>(column), capacity) : new Scalars<T>(row.GetGetter<T>(column), capacity);

    /// <summary>Values held by <typeparamref name="T"/> itself (immutable once read).</summary>
    private sealed class Scalars<T>(ValueGetter<T> getter, int capacity) : ColumnBuffer
    {
        private readonly T[] _values = new T[capacity];

        internal override void Read(int slot) => getter(ref _values[slot]);

        internal override Delegate Getter(Func<int> slot) => (ValueGetter<T>)((ref T dst) => dst = _values[slot()]);
    }

    /// <summary>Vectors, each copied into a buffer of the block's own (reused by the next block).</summary>
    private sealed class Vectors<T>(ValueGetter<VBuffer<T>> getter, int capacity) : ColumnBuffer
    {
        private readonly VBuffer<T>[] _values = new VBuffer<T>[capacity];
        private VBuffer<T> _read;

        internal override void Read(int slot)
        {
            getter(ref _read);
            _read.CopyTo(ref _values[slot]);
        }

        internal override Delegate Getter(Func<int> slot) => (ValueGetter<VBuffer<T>>)((ref VBuffer<T> dst) => _values[slot()].CopyTo(ref dst));
    }
}
