namespace Microsoft.ML.Data
{
    /// <summary>A row that has a schema and no values: used to validate bindings before any data is read.</summary>
    internal sealed class SchemaOnlyRow : DataViewRow
    {
        public SchemaOnlyRow(DataViewSchema schema) => Schema = schema;

        public override long Position => -1;
        public override long Batch => 0;
        public override DataViewSchema Schema { get; }
        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId v) => throw new InvalidOperationException("This row has no values.");
        public override bool IsColumnActive(DataViewSchema.Column column) => true;
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Type.RawType != typeof(TValue))
                throw RowChecks.WrongGetterType(column, typeof(TValue));
            return (ref TValue v) => throw new InvalidOperationException("This row has no values.");
        }
    }
}
