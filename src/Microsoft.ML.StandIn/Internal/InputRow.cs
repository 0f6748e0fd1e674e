namespace Microsoft.ML.Data
{
    /// <summary>A one-row view of a user object whose value changes with each prediction.</summary>
    internal sealed class InputRow<TSrc> : DataViewRow
        where TSrc : class
    {
        private readonly Delegate[] _getters;
        private TSrc _current;
        private long _position = -1;

        public InputRow(RowClassBinding binding)
        {
            Schema = binding.Schema;
            _getters = binding.Columns.Select(c => MemberAccess.MakePeek(c.Name, c.Type, c.Get, () => _current ?? throw new InvalidOperationException("No example has been set."))).ToArray();
        }

        public void Set(TSrc example)
        {
            _current = example;
            _position++;
        }

        public override long Position => _position;
        public override long Batch => 0;
        public override DataViewSchema Schema { get; }
        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);
        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            RowChecks.CheckColumn(Schema, column);
            return _getters[column.Index] as ValueGetter<TValue> ?? throw RowChecks.WrongGetterType(column, typeof(TValue));
        }
    }
}
