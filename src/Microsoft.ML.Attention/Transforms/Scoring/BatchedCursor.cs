using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// A cursor that reads a block of input rows ahead, scores the block in one call of the mapper when the first added
/// column of one of its rows is read (a block whose added columns are never read is never scored), and serves the rows
/// in the input's order with the input's positions, batches and ids.
/// </summary>
/// <typeparam name="TResult">What the mapper computes for one row.</typeparam>
internal sealed class BatchedCursor<TResult> : DataViewRowCursor
    where TResult : class
{
    private readonly DataViewRowCursor _input;
    private readonly RowBlock _block;
    private readonly IBatchRowMapper<TResult> _mapper;
    private readonly DataViewRow _row;
    private readonly bool _callingThreadOnly;
    private TResult[]? _results;
    private int _slot = -1;
    private bool _done;

    /// <param name="input">The input cursor (the block reads it).</param>
    /// <param name="block">The block over <paramref name="input"/>.</param>
    /// <param name="mapper">Scores blocks and makes the rows.</param>
    /// <param name="active">The output columns the consumer asked for.</param>
    /// <param name="callingThreadOnly">
    /// Score on this cursor's thread alone: for one cursor of a set, whose siblings keep the other cores busy.
    /// </param>
    internal BatchedCursor(DataViewRowCursor input, RowBlock block, IBatchRowMapper<TResult> mapper, IEnumerable<DataViewSchema.Column> active, bool callingThreadOnly)
    {
        _input = input;
        _block = block;
        _mapper = mapper;
        _callingThreadOnly = callingThreadOnly;
        _row = mapper.GetRow(new Row(this), active);
    }

    public override long Position => _done || _slot < 0 ? -1 : _block.Position(_slot);

    public override long Batch => _slot < 0 ? 0 : _block.Batch(_slot);

    public override DataViewSchema Schema => _row.Schema;

    public override bool MoveNext()
    {
        if (_done)
        {
            return false;
        }

        if (_slot >= 0 && _slot + 1 < _block.Count)
        {
            _slot++;
            return true;
        }

        _results = null;
        if (!_block.Fill())
        {
            _done = true;
            _slot = -1;
            return false;
        }

        _slot = 0;
        return true;
    }

    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) =>
    {
        CheckOnRow();
        id = _block.Id(_slot);
    };

    public override bool IsColumnActive(DataViewSchema.Column column) => _row.IsColumnActive(column);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _row.GetGetter<TValue>(column);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _input.Dispose();
        }

        base.Dispose(disposing);
    }

    private void CheckOnRow()
    {
        if (_slot < 0)
        {
            throw new InvalidOperationException("The cursor is not on a row: call MoveNext first (and only read values while it returns true).");
        }
    }

    private TResult Current()
    {
        CheckOnRow();
        if (_results is null)
        {
            using IDisposable? serial = _callingThreadOnly ? EngineThreads.OnCallingThreadOnly() : null;
            TResult[] results = _mapper.Score(_block);
            if (results.Length != _block.Count)
            {
                throw new InvalidOperationException($"A batch scorer returned {results.Length} results for {_block.Count} rows.");
            }

            _results = results;
        }

        return _results[_slot];
    }

    /// <summary>The input row the mapper's row reads: the block's current slot.</summary>
    private sealed class Row(BatchedCursor<TResult> cursor) : DataViewRow, IBatchedRow<TResult>
    {
        public TResult Result => cursor.Current();

        public override long Position => cursor.Position;

        public override long Batch => cursor.Batch;

        public override DataViewSchema Schema => cursor._input.Schema;

        public override ValueGetter<DataViewRowId> GetIdGetter() => cursor.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => cursor._input.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            ValueGetter<TValue> read = cursor._block.Getter<TValue>(column, () => cursor._slot);
            return (ref TValue value) =>
            {
                cursor.CheckOnRow();
                read(ref value);
            };
        }
    }
}
