namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// The output of a pack transformer's <c>Transform</c> that scores rows in blocks: each cursor reads
/// <see cref="IBatchRowMapper{TResult}.BatchSize"/> input rows ahead, scores them in one forward pass and serves them in
/// order (<see cref="BatchedCursor{TResult}"/>). A cursor set gets one batched cursor per input cursor, each scoring on
/// its own thread alone, so that the set's threads and the engine's do not compete for the cores. Row by row instead
/// when the batch size is 1, when no added column is asked for, or when an active input column has a type that cannot
/// be copied ahead (see <see cref="ColumnBuffer"/>).
/// </summary>
/// <typeparam name="TResult">What the mapper computes for one row.</typeparam>
internal sealed class BatchedDataView<TResult>(IDataView input, IBatchRowMapper<TResult> mapper) : IDataView
    where TResult : class
{
    public bool CanShuffle => input.CanShuffle;

    public DataViewSchema Schema => mapper.OutputSchema;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        DataViewSchema.Column[] needed = [.. columnsNeeded];
        return Wrap(input.GetRowCursor(mapper.GetDependencies(needed), rand), needed, callingThreadOnly: false);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        DataViewSchema.Column[] needed = [.. columnsNeeded];
        DataViewRowCursor[] cursors = input.GetRowCursorSet(mapper.GetDependencies(needed), n, rand);
        return [.. cursors.Select(c => Wrap(c, needed, callingThreadOnly: cursors.Length > 1))];
    }

    private DataViewRowCursor Wrap(DataViewRowCursor rows, DataViewSchema.Column[] needed, bool callingThreadOnly)
    {
        bool scores = needed.Any(c => c.Index >= input.Schema.Count);
        if (scores && mapper.BatchSize > 1 && RowBlock.TryCreate(rows, mapper.BatchSize) is { } block)
        {
            return new BatchedCursor<TResult>(rows, block, mapper, needed, callingThreadOnly);
        }

        return new RowMapperDataView.Cursor(rows, mapper, needed);
    }
}
