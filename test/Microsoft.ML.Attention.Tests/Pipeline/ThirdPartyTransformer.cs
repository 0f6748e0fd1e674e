using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Pipeline;

/// <summary>
/// An external transformer written the way a third-party pack must write one against real ML.NET: public interfaces
/// only (IEstimator, ITransformer, IRowToRowMapper, DataViewRow/DataViewRowCursor). It appends "Squares", the
/// element-wise square of a float vector column.
/// </summary>
public sealed class SquaringEstimator : IEstimator<SquaringTransformer>
{
    private readonly string _input;

    public SquaringEstimator(string input) => _input = input;

    public SquaringTransformer Fit(IDataView input)
    {
        GetOutputSchema(SchemaShapeOf(input.Schema));
        return new SquaringTransformer(_input);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var input = inputSchema.FirstOrDefault(c => c.Name == _input);
        if (input.Name is null)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Could not find input column '{_input}'");
        var columns = inputSchema.Where(c => c.Name != "Squares").ToList();
        columns.Add(Shim.Column("Squares", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single));
        return new SchemaShape(columns);
    }

    private static SchemaShape SchemaShapeOf(DataViewSchema schema)
        => new(schema.Where(c => !c.IsHidden).Select(c => Shim.Column(c.Name,
            c.Type is VectorDataViewType v ? (v.IsKnownSize ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector) : SchemaShape.Column.VectorKind.Scalar,
            c.Type is VectorDataViewType vt ? (vt.ItemType is KeyDataViewType ? NumberDataViewType.UInt32 : vt.ItemType) : (c.Type is KeyDataViewType ? NumberDataViewType.UInt32 : c.Type),
            (c.Type is VectorDataViewType vk ? vk.ItemType : c.Type) is KeyDataViewType)));

    /// <summary>What every third-party pack does today: reflection on ML.NET's internal constructor.</summary>
    private static class Shim
    {
        public static SchemaShape.Column Column(string name, SchemaShape.Column.VectorKind kind, DataViewType item, bool isKey = false)
            => (SchemaShape.Column)typeof(SchemaShape.Column)
                .GetConstructors(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance).Single()
                .Invoke(new object?[] { name, kind, item, isKey, null });
    }
}

public sealed class SquaringTransformer : ITransformer
{
    private readonly string _input;

    public SquaringTransformer(string input) => _input = input;

    public bool IsRowToRowMapper => true;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => new Mapper(inputSchema, _input).OutputSchema;

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new Mapper(inputSchema, _input);

    public IDataView Transform(IDataView input) => new View(input, new Mapper(input.Schema, _input));

    public void Save(ModelSaveContext ctx)
    {
        // Nothing public can be written: real ML.NET then fails with "ModelSignature not specified!".
    }

    private sealed class Mapper : IRowToRowMapper
    {
        private readonly DataViewSchema.Column _source;

        public Mapper(DataViewSchema input, string name)
        {
            InputSchema = input;
            _source = input.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(name), $"Could not find input column '{name}'");
            var builder = new DataViewSchema.Builder();
            builder.AddColumns(input);
            builder.AddColumn("Squares", _source.Type);
            OutputSchema = builder.ToSchema();
        }

        public DataViewSchema InputSchema { get; }
        public DataViewSchema OutputSchema { get; }

        public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
        {
            var set = dependingColumns.Select(c => c.Index).ToHashSet();
            var result = InputSchema.Where(c => set.Contains(c.Index)).ToList();
            if (set.Contains(OutputSchema.Count - 1) && !result.Any(c => c.Index == _source.Index))
                result.Add(_source);
            return result;
        }

        public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) => new Row(this, input);

        internal sealed class Row : DataViewRow
        {
            private readonly Mapper _mapper;
            private readonly DataViewRow _input;

            public Row(Mapper mapper, DataViewRow input)
            {
                _mapper = mapper;
                _input = input;
            }

            public override long Position => _input.Position;
            public override long Batch => _input.Batch;
            public override DataViewSchema Schema => _mapper.OutputSchema;
            public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();
            public override bool IsColumnActive(DataViewSchema.Column column) => column.Index == Schema.Count - 1 || _input.IsColumnActive(_input.Schema[column.Index]);

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                if (column.Index < Schema.Count - 1)
                    return _input.GetGetter<TValue>(_input.Schema[column.Index]);
                var source = _input.GetGetter<VBuffer<float>>(_mapper._source);
                var buffer = default(VBuffer<float>);
                ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> dst) =>
                {
                    source(ref buffer);
                    var values = buffer.DenseValues().Select(v => v * v).ToArray();
                    dst = new VBuffer<float>(values.Length, values);
                };
                return (ValueGetter<TValue>)(object)getter;
            }
        }
    }

    private sealed class View : IDataView
    {
        private readonly IDataView _input;
        private readonly Mapper _mapper;

        public View(IDataView input, Mapper mapper)
        {
            _input = input;
            _mapper = mapper;
        }

        public bool CanShuffle => false;
        public DataViewSchema Schema => _mapper.OutputSchema;
        public long? GetRowCount() => _input.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
            => new Cursor(_input.GetRowCursor(_mapper.GetDependencies(columnsNeeded), rand), _mapper);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => new[] { GetRowCursor(columnsNeeded, rand) };

        private sealed class Cursor : DataViewRowCursor
        {
            private readonly DataViewRowCursor _input;
            private readonly Mapper.Row _row;

            public Cursor(DataViewRowCursor input, Mapper mapper)
            {
                _input = input;
                _row = new Mapper.Row(mapper, input);
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
                    _input.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}
