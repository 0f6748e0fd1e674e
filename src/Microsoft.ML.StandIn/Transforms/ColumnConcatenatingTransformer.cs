using System.Reflection;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Data
{
    /// <summary>Concatenates scalar and vector columns of one item type into a vector column.</summary>
    public sealed class ColumnConcatenatingTransformer : RowToRowTransformerBase
    {
        internal const string LoaderSignature = "ConcatTransform";

        private readonly string _output;
        private readonly string[] _inputs;

        internal ColumnConcatenatingTransformer(IHostEnvironment env, string outputColumnName, params string[] inputColumnNames)
            : base(Contracts.CheckValue(env, nameof(env)).Register(nameof(ColumnConcatenatingTransformer)))
        {
            Contracts.CheckNonEmpty(outputColumnName, nameof(outputColumnName));
            Contracts.CheckValue(inputColumnNames, nameof(inputColumnNames));
            Contracts.CheckParam(inputColumnNames.Length > 0, nameof(inputColumnNames), "Input columns not specified");
            _output = outputColumnName;
            _inputs = inputColumnNames.ToArray();
        }

        private protected override void SaveModel(ModelSaveContext ctx)
        {
            ctx.SetVersionInfo(LoaderSignature, 1);
            ctx.Writer.Write(_output);
            ctx.Writer.Write(_inputs.Length);
            foreach (var input in _inputs)
                ctx.Writer.Write(input);
        }

        internal static ITransformer Load(IHostEnvironment env, ModelLoadContext ctx)
        {
            string output = ctx.Reader.ReadString();
            int n = ctx.Reader.ReadInt32();
            if (n <= 0 || n > 100_000)
                throw ctx.Corrupt($"invalid input count {n}");
            var inputs = new string[n];
            for (int i = 0; i < n; i++)
                inputs[i] = ctx.Reader.ReadString();
            return new ColumnConcatenatingTransformer(env, output, inputs);
        }

        private protected override IRowMapper MakeRowMapper(DataViewSchema schema)
        {
            var columns = _inputs.Select(name => Contracts.FindColumn(schema, nameof(schema), "input", name)).ToArray();
            var first = columns[0].Type is VectorDataViewType v0 ? v0.ItemType : columns[0].Type;
            foreach (var c in columns)
            {
                var item = c.Type is VectorDataViewType v ? v.ItemType : c.Type;
                if (!item.Equals(first))
                    throw Contracts.ExceptSchemaMismatch(nameof(schema), "input", c.Name, first.ToString(), item.ToString());
            }
            bool known = columns.All(c => c.Type is not VectorDataViewType v || v.IsKnownSize);
            int size = known ? columns.Sum(c => c.Type is VectorDataViewType v ? v.Size : 1) : 0;
            var type = new VectorDataViewType((PrimitiveDataViewType)first, size);
            var method = typeof(ColumnConcatenatingTransformer).GetMethod(nameof(MakeGetter), BindingFlags.NonPublic | BindingFlags.Static).MakeGenericMethod(first.RawType);
            var spec = new ColumnFunctionMapper.OutputSpec(
                new DataViewSchema.DetachedColumn(_output, type, known ? SlotNames(columns, size) : null),
                columns.Select(c => c.Index).ToArray(),
                row => (Delegate)method.Invoke(null, new object[] { row, columns }));
            return new ColumnFunctionMapper(new[] { spec });
        }

        private static DataViewSchema.Annotations SlotNames(DataViewSchema.Column[] columns, int size)
        {
            bool any = columns.Any(c => c.Type is not VectorDataViewType || c.HasSlotNames());
            if (!any)
                return null;
            var names = new List<ReadOnlyMemory<char>>(size);
            foreach (var c in columns)
            {
                if (c.Type is not VectorDataViewType v)
                {
                    names.Add(c.Name.AsMemory());
                    continue;
                }
                if (c.HasSlotNames())
                {
                    VBuffer<ReadOnlyMemory<char>> slots = default;
                    c.GetSlotNames(ref slots);
                    foreach (var s in slots.DenseValues())
                        names.Add((c.Name + "." + s.ToString()).AsMemory());
                }
                else
                {
                    for (int i = 0; i < v.Size; i++)
                        names.Add(ReadOnlyMemory<char>.Empty);
                }
            }
            var values = names.ToArray();
            var builder = new DataViewSchema.Annotations.Builder();
            builder.Add(AnnotationKinds.SlotNames, new VectorDataViewType(TextDataViewType.Instance, size),
                (ref VBuffer<ReadOnlyMemory<char>> dst) => dst = BufferCopy.CopyInto(new VBuffer<ReadOnlyMemory<char>>(values.Length, values), dst));
            return builder.ToAnnotations();
        }

        private static ValueGetter<VBuffer<T>> MakeGetter<T>(DataViewRow row, DataViewSchema.Column[] columns)
        {
            var parts = columns.Select(c =>
            {
                if (c.Type is VectorDataViewType)
                {
                    var g = row.GetGetter<VBuffer<T>>(c);
                    var buffer = default(VBuffer<T>);
                    return (Func<(int Length, Action<Span<T>> Copy)>)(() =>
                    {
                        g(ref buffer);
                        var b = buffer;
                        return (b.Length, span => b.CopyTo(span));
                    });
                }
                var s = row.GetGetter<T>(c);
                return () =>
                {
                    T value = default;
                    s(ref value);
                    return (1, span => span[0] = value);
                };
            }).ToArray();
            var fetched = new (int Length, Action<Span<T>> Copy)[parts.Length];
            return (ref VBuffer<T> dst) =>
            {
                int total = 0;
                for (int i = 0; i < parts.Length; i++)
                {
                    fetched[i] = parts[i]();
                    total += fetched[i].Length;
                }
                var editor = VBufferEditor.Create(ref dst, total);
                var values = editor.Values;
                int at = 0;
                foreach (var f in fetched)
                {
                    f.Copy(values.Slice(at, f.Length));
                    at += f.Length;
                }
                dst = editor.Commit();
            };
        }
    }
}

namespace Microsoft.ML.Transforms
{
    using Microsoft.ML.Data;

    /// <summary>Estimator for <see cref="ColumnConcatenatingTransformer"/>.</summary>
    public sealed class ColumnConcatenatingEstimator : IEstimator<ColumnConcatenatingTransformer>
    {
        private readonly IHost _host;
        private readonly string _output;
        private readonly string[] _inputs;

        internal ColumnConcatenatingEstimator(IHostEnvironment env, string outputColumnName, params string[] inputColumnNames)
        {
            _host = Contracts.CheckValue(env, nameof(env)).Register(nameof(ColumnConcatenatingEstimator));
            Contracts.CheckNonEmpty(outputColumnName, nameof(outputColumnName));
            Contracts.CheckValue(inputColumnNames, nameof(inputColumnNames));
            Contracts.CheckParam(inputColumnNames.Length > 0, nameof(inputColumnNames), "Input columns not specified");
            _output = outputColumnName;
            _inputs = inputColumnNames.ToArray();
        }

        public ColumnConcatenatingTransformer Fit(IDataView input)
        {
            Contracts.CheckValue(input, nameof(input));
            GetOutputSchema(SchemaShape.Create(input.Schema));
            return new ColumnConcatenatingTransformer(_host, _output, _inputs);
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            Contracts.CheckValue(inputSchema, nameof(inputSchema));
            var columns = _inputs.Select(n => Contracts.FindColumn(inputSchema, nameof(inputSchema), "input", n)).ToArray();
            var item = columns[0].ItemType;
            bool isKey = columns[0].IsKey;
            foreach (var c in columns)
            {
                if (!c.ItemType.Equals(item) || c.IsKey != isKey)
                    throw Contracts.ExceptSchemaMismatch(nameof(inputSchema), "input", c.Name, columns[0].GetTypeString(), c.GetTypeString());
            }
            bool variable = columns.Any(c => c.Kind == SchemaShape.Column.VectorKind.VariableVector);
            var result = inputSchema.Where(c => c.Name != _output).ToList();
            result.Add(new SchemaShape.Column(_output, variable ? SchemaShape.Column.VectorKind.VariableVector : SchemaShape.Column.VectorKind.Vector, item, isKey));
            return new SchemaShape(result);
        }
    }
}
