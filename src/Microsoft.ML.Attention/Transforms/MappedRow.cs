using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// A row of one of the pack's row mappers: the input's columns pass through; the added columns (from
/// <paramref name="firstAdded"/> on) all come from one computation per input row, done when the first of them is read
/// and kept until the cursor moves. When the input row is one of a batched cursor's (<see cref="IBatchedRow{TResult}"/>),
/// the result is the one computed for its block instead.
/// </summary>
/// <typeparam name="TResult">What the computation yields for a row.</typeparam>
/// <param name="input">The input row.</param>
/// <param name="schema">The output schema.</param>
/// <param name="firstAdded">Index of the first added column.</param>
/// <param name="source">The input column the added columns are computed from.</param>
/// <param name="owner">The transform's name, for error messages.</param>
internal abstract class MappedRow<TResult>(DataViewRow input, DataViewSchema schema, int firstAdded, DataViewSchema.Column source, string owner) : DataViewRow
    where TResult : class
{
    private long _cachedPosition = -1;
    private TResult? _cached;

    public override long Position => input.Position;

    public override long Batch => input.Batch;

    public override DataViewSchema Schema => schema;

    protected DataViewRow Input => input;

    protected DataViewSchema.Column Source => source;

    public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index >= firstAdded ? input.IsColumnActive(source) : input.IsColumnActive(input.Schema[column.Index]);

    public sealed override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index < firstAdded)
        {
            return input.GetGetter<TValue>(input.Schema[column.Index]);
        }

        return AddedGetter(column) as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"{owner}: column '{column.Name}' is read as {typeof(TValue).Name}, but it holds {column.Type}.");
    }

    /// <summary>The getter of an added column (a <see cref="ValueGetter{TValue}"/> of the column's type).</summary>
    protected abstract Delegate AddedGetter(DataViewSchema.Column column);

    /// <summary>The computation for the input row at its current position.</summary>
    protected abstract TResult Compute();

    /// <summary>This row's result, computed once per position.</summary>
    protected TResult Current()
    {
        if (_cachedPosition != input.Position || _cached is null)
        {
            _cached = input is IBatchedRow<TResult> batched ? batched.Result : Compute();
            _cachedPosition = input.Position;
        }

        return _cached;
    }

    protected static ValueGetter<VBuffer<float>> Floats(Func<float[]> values) => (ref VBuffer<float> dst) =>
    {
        float[] v = values();
        dst = new VBuffer<float>(v.Length, (float[])v.Clone());
    };

    protected static ValueGetter<VBuffer<ReadOnlyMemory<char>>> Texts(Func<string[]> values) => (ref VBuffer<ReadOnlyMemory<char>> dst) =>
    {
        string[] v = values();
        dst = new VBuffer<ReadOnlyMemory<char>>(v.Length, [.. v.Select(s => s.AsMemory())]);
    };
}
