using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Up to <c>capacity</c> rows read ahead from an input cursor, every active column copied, with each row's position,
/// batch and id as the input gave them: the rows a batched cursor scores in one forward pass and then serves one by one.
/// </summary>
internal sealed class RowBlock
{
    private readonly DataViewRowCursor _input;
    private readonly ColumnBuffer?[] _columns;
    private readonly ValueGetter<DataViewRowId> _id;
    private readonly DataViewRowId[] _ids;
    private readonly long[] _positions;
    private readonly long[] _batches;

    private RowBlock(DataViewRowCursor input, ColumnBuffer?[] columns, int capacity)
    {
        _input = input;
        _columns = columns;
        _id = input.GetIdGetter();
        _ids = new DataViewRowId[capacity];
        _positions = new long[capacity];
        _batches = new long[capacity];
    }

    /// <summary>Rows in the block.</summary>
    internal int Count { get; private set; }

    /// <summary>The rows the block holds at most.</summary>
    internal int Capacity => _ids.Length;

    /// <summary>
    /// A block over <paramref name="input"/>, or null when one of its active columns has a type that cannot be copied
    /// (see <see cref="ColumnBuffer"/>); such a cursor is scored row by row.
    /// </summary>
    internal static RowBlock? TryCreate(DataViewRowCursor input, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        var columns = new ColumnBuffer?[input.Schema.Count];
        foreach (DataViewSchema.Column column in input.Schema)
        {
            if (input.IsColumnActive(column))
            {
                columns[column.Index] = ColumnBuffer.Create(input, column, capacity);
                if (columns[column.Index] is null)
                {
                    return null;
                }
            }
        }

        return new RowBlock(input, columns, capacity);
    }

    /// <summary>Reads the next rows of the input (up to the capacity); false when the input had none left.</summary>
    internal bool Fill()
    {
        Count = 0;
        while (Count < Capacity && _input.MoveNext())
        {
            foreach (ColumnBuffer? column in _columns)
            {
                column?.Read(Count);
            }

            _id(ref _ids[Count]);
            _positions[Count] = _input.Position;
            _batches[Count] = _input.Batch;
            Count++;
        }

        return Count > 0;
    }

    /// <summary>The input's position of the row in <paramref name="slot"/>.</summary>
    internal long Position(int slot) => _positions[slot];

    /// <summary>The input's batch of the row in <paramref name="slot"/>.</summary>
    internal long Batch(int slot) => _batches[slot];

    /// <summary>The input's id of the row in <paramref name="slot"/>.</summary>
    internal DataViewRowId Id(int slot) => _ids[slot];

    /// <summary>Turns one row's value into what a scorer needs; <paramref name="position"/> names the row in errors.</summary>
    internal delegate TResult Reader<TValue, TResult>(in TValue value, long position);

    /// <summary>Every row's value of input column <paramref name="column"/>, in slot order, each through <paramref name="read"/>.</summary>
    internal TResult[] Read<TValue, TResult>(DataViewSchema.Column column, Reader<TValue, TResult> read)
    {
        int slot = 0;
        ValueGetter<TValue> getter = Getter<TValue>(column, () => slot);
        var results = new TResult[Count];
        TValue value = default!;
        for (slot = 0; slot < Count; slot++)
        {
            getter(ref value);
            results[slot] = read(value, _positions[slot]);
        }

        return results;
    }

    /// <summary>
    /// A getter of input column <paramref name="column"/> that reads the slot <paramref name="slot"/> names when called.
    /// </summary>
    /// <exception cref="InvalidOperationException">The column is not active, or <typeparamref name="T"/> is not its type.</exception>
    internal ValueGetter<T> Getter<T>(DataViewSchema.Column column, Func<int> slot) =>
        _columns[column.Index]?.Getter(slot) as ValueGetter<T>
        ?? throw new InvalidOperationException($"Column '{column.Name}' is {(_columns[column.Index] is null ? "not active in this cursor" : $"of type {column.Type}, not read as {typeof(T).Name}")}.");
}
