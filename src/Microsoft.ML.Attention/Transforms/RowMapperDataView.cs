using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>The lazy output of a pack transformer's <c>Transform</c>: input rows with the columns its row mapper adds.</summary>
internal sealed class RowMapperDataView(IDataView input, IRowToRowMapper mapper) : IDataView
{
    public bool CanShuffle => input.CanShuffle;

    public DataViewSchema Schema => mapper.OutputSchema;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        DataViewSchema.Column[] needed = [.. columnsNeeded];
        return new Cursor(input.GetRowCursor(mapper.GetDependencies(needed), rand), mapper, needed);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        DataViewSchema.Column[] needed = [.. columnsNeeded];
        return [.. input.GetRowCursorSet(mapper.GetDependencies(needed), n, rand).Select(c => (DataViewRowCursor)new Cursor(c, mapper, needed))];
    }

    /// <summary>A cursor over the input's rows with the mapper's row on top; disposing it disposes the input cursor and <c>owned</c>.</summary>
    internal sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _input;
        private readonly DataViewRow _row;
        private readonly IDisposable? _owned;

        internal Cursor(DataViewRowCursor input, IRowToRowMapper mapper, IEnumerable<DataViewSchema.Column> active, IDisposable? owned = null)
        {
            _input = input;
            _row = mapper.GetRow(input, active);
            _owned = owned;
        }

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override DataViewSchema Schema => _row.Schema;

        public override bool MoveNext() => _input.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _row.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _row.GetGetter<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _input.Dispose();
                _owned?.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
