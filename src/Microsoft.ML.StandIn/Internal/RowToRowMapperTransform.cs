using Microsoft.ML.Runtime;

namespace Microsoft.ML.Data
{
    /// <summary>
    /// A lazy view that appends the columns of an <see cref="IRowMapper"/> to its input (a later column with the same
    /// name hides the earlier one). Only the input columns the active outputs depend on are requested from the source.
    /// </summary>
    internal sealed class RowToRowMapperTransform : IDataView, IRowToRowMapper
    {
        private readonly IDataView _source;
        private readonly IRowMapper _mapper;
        private readonly int _inputCount;

        public RowToRowMapperTransform(IDataView source, IRowMapper mapper)
        {
            _source = source;
            _mapper = mapper;
            _inputCount = source.Schema.Count;
            OutputSchema = GetOutputSchema(source.Schema, mapper);
        }

        /// <summary>A mapper over a schema only (no data): the row-to-row form used by prediction engines.</summary>
        public RowToRowMapperTransform(DataViewSchema inputSchema, IRowMapper mapper)
            : this(new EmptyDataView(inputSchema), mapper)
        {
        }

        public static DataViewSchema GetOutputSchema(DataViewSchema input, IRowMapper mapper)
        {
            var builder = new DataViewSchema.Builder();
            builder.AddColumns(input);
            builder.AddColumns(mapper.GetOutputColumns());
            return builder.ToSchema();
        }

        public bool CanShuffle => _source.CanShuffle;
        public DataViewSchema Schema => OutputSchema;
        public DataViewSchema InputSchema => _source.Schema;
        public DataViewSchema OutputSchema { get; }

        public long? GetRowCount() => _source.GetRowCount();

        private (bool[] activeOutputs, bool[] inputNeeded) Plan(IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            int outputs = OutputSchema.Count - _inputCount;
            var activeOut = new bool[outputs];
            var needInput = new bool[_inputCount];
            foreach (var column in columnsNeeded ?? Enumerable.Empty<DataViewSchema.Column>())
            {
                if (column.Index >= _inputCount)
                    activeOut[column.Index - _inputCount] = true;
                else
                    needInput[column.Index] = true;
            }
            var deps = _mapper.GetDependencies(i => activeOut[i]);
            for (int i = 0; i < _inputCount; i++)
                needInput[i] |= deps(i);
            return (activeOut, needInput);
        }

        public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
        {
            var (_, needInput) = Plan(dependingColumns);
            return InputSchema.Where(c => needInput[c.Index]);
        }

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random rand = null)
        {
            var (activeOut, needInput) = Plan(columnsNeeded);
            var input = _source.GetRowCursor(InputSchema.Where(c => needInput[c.Index]), rand);
            return new Cursor(this, input, activeOut);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random rand = null)
        {
            var (activeOut, needInput) = Plan(columnsNeeded);
            var inputs = _source.GetRowCursorSet(InputSchema.Where(c => needInput[c.Index]), n, rand);
            return inputs.Select(i => (DataViewRowCursor)new Cursor(this, i, activeOut)).ToArray();
        }

        public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
        {
            Contracts.CheckValue(input, nameof(input));
            var (activeOut, _) = Plan(activeColumns);
            return new Row(this, input, activeOut);
        }

        private sealed class Row : DataViewRow
        {
            private readonly RowToRowMapperTransform _parent;
            private readonly DataViewRow _input;
            private readonly bool[] _active;
            private readonly Delegate[] _getters;

            public Row(RowToRowMapperTransform parent, DataViewRow input, bool[] activeOut)
            {
                _parent = parent;
                _input = input;
                _active = activeOut;
                _getters = parent._mapper.CreateGetters(input, i => activeOut[i]);
            }

            public override long Position => _input.Position;
            public override long Batch => _input.Batch;
            public override DataViewSchema Schema => _parent.OutputSchema;
            public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

            public override bool IsColumnActive(DataViewSchema.Column column)
                => column.Index < _parent._inputCount ? _input.IsColumnActive(_input.Schema[column.Index]) : _active[column.Index - _parent._inputCount];

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
                => MappedGetters.Get<TValue>(_parent.OutputSchema, _parent._inputCount, _input, _getters, _active, column);
        }

        private sealed class Cursor : DataViewRowCursor
        {
            private readonly RowToRowMapperTransform _parent;
            private readonly DataViewRowCursor _input;
            private readonly bool[] _active;
            private readonly Delegate[] _getters;

            public Cursor(RowToRowMapperTransform parent, DataViewRowCursor input, bool[] activeOut)
            {
                _parent = parent;
                _input = input;
                _active = activeOut;
                _getters = parent._mapper.CreateGetters(input, i => activeOut[i]);
            }

            public override long Position => _input.Position;
            public override long Batch => _input.Batch;
            public override DataViewSchema Schema => _parent.OutputSchema;
            public override bool MoveNext() => _input.MoveNext();
            public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

            public override bool IsColumnActive(DataViewSchema.Column column)
                => column.Index < _parent._inputCount ? _input.IsColumnActive(_input.Schema[column.Index]) : _active[column.Index - _parent._inputCount];

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
                => MappedGetters.Get<TValue>(_parent.OutputSchema, _parent._inputCount, _input, _getters, _active, column);

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                    _input.Dispose();
                base.Dispose(disposing);
            }
        }
    }

    internal static class MappedGetters
    {
        public static ValueGetter<TValue> Get<TValue>(DataViewSchema schema, int inputCount, DataViewRow input, Delegate[] getters, bool[] active, DataViewSchema.Column column)
        {
            RowChecks.CheckColumn(schema, column);
            if (column.Index < inputCount)
                return input.GetGetter<TValue>(input.Schema[column.Index]);
            int i = column.Index - inputCount;
            if (!active[i])
                throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor; request it in columnsNeeded.");
            return getters[i] as ValueGetter<TValue>
                ?? throw RowChecks.WrongGetterType(column, typeof(TValue));
        }
    }

    internal static class RowChecks
    {
        public static void CheckColumn(DataViewSchema schema, DataViewSchema.Column column)
        {
            if ((uint)column.Index >= (uint)schema.Count || schema[column.Index].Name != column.Name)
                throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' (index {column.Index}) does not belong to this row's schema.");
        }

        public static Exception WrongGetterType(DataViewSchema.Column column, Type requested)
            => new InvalidOperationException($"Invalid TValue in GetGetter for column '{column.Name}': expected type '{column.Type.RawType}', got '{requested}'.");
    }
}
