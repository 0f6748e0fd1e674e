namespace Microsoft.ML.Data
{
    /// <summary>A view with a schema and no rows.</summary>
    internal sealed class EmptyDataView : IDataView
    {
        public EmptyDataView(DataViewSchema schema) => Schema = schema;

        public bool CanShuffle => true;
        public DataViewSchema Schema { get; }
        public long? GetRowCount() => 0;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random rand = null) => new Cursor(Schema);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random rand = null)
            => new DataViewRowCursor[] { new Cursor(Schema) };

        private sealed class Cursor : DataViewRowCursor
        {
            private readonly DataViewSchema _schema;

            public Cursor(DataViewSchema schema) => _schema = schema;

            public override long Position => -1;
            public override long Batch => 0;
            public override DataViewSchema Schema => _schema;
            public override bool MoveNext() => false;
            public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId v) => throw new InvalidOperationException("The cursor has no current row.");
            public override bool IsColumnActive(DataViewSchema.Column column) => true;
            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
                => (ref TValue v) => throw new InvalidOperationException("The cursor has no current row.");
        }
    }
}
