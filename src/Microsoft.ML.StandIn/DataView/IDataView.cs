namespace Microsoft.ML
{
    /// <summary>A lazy, cursorable, re-iterable view of tabular data (ML.NET's central data abstraction).</summary>
    public interface IDataView
    {
        bool CanShuffle { get; }
        DataViewSchema Schema { get; }
        long? GetRowCount();
        DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random rand = null);
        DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random rand = null);
    }

    public delegate void ValueGetter<TValue>(ref TValue value);
}
