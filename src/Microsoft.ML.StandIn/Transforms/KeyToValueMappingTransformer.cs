using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Transforms
{
    /// <summary>Maps keys back to the values in their KeyValues annotation (key 0, missing, maps to the default value).</summary>
    public sealed class KeyToValueMappingTransformer : OneToOneTransformerBase
    {
        internal const string LoaderSignature = "KeyToValueTransform";

        internal KeyToValueMappingTransformer(IHostEnvironment env, params (string outputColumnName, string inputColumnName)[] columns)
            : base(Contracts.CheckValue(env, nameof(env)).Register(nameof(KeyToValueMappingTransformer)), columns)
        {
        }

        private protected override void SaveModel(ModelSaveContext ctx)
        {
            ctx.SetVersionInfo(LoaderSignature, 1);
            SaveColumns(ctx);
        }

        internal static ITransformer Load(IHostEnvironment env, ModelLoadContext ctx) => new KeyToValueMappingTransformer(env, LoadColumns(ctx));

        private protected override IRowMapper MakeRowMapper(DataViewSchema schema)
            => new ColumnFunctionMapper(ColumnPairs.Select(pair =>
            {
                var input = Contracts.FindColumn(schema, nameof(schema), "input", pair.inputColumnName);
                var item = input.Type is VectorDataViewType v ? v.ItemType : input.Type;
                if (item is not KeyDataViewType key)
                    throw Contracts.ExceptSchemaMismatch(nameof(schema), "input", input.Name, "KeyType", input.Type.ToString());
                var kv = input.Annotations.Schema.GetColumnOrNull(AnnotationKinds.KeyValues);
                if (kv?.Type is not VectorDataViewType kvType)
                    throw Contracts.ExceptSchemaMismatch(nameof(schema), "input", input.Name, "a key column with KeyValues annotation", input.Type.ToString());
                DataViewType outType = input.Type is VectorDataViewType vec ? new VectorDataViewType(kvType.ItemType, vec.Dimensions) : kvType.ItemType;
                var method = typeof(KeyToValueMappingTransformer).GetMethod(nameof(MakeGetter), BindingFlags.NonPublic | BindingFlags.Static)
                    .MakeGenericMethod(kvType.ItemType.RawType);
                return new ColumnFunctionMapper.OutputSpec(new DataViewSchema.DetachedColumn(pair.outputColumnName, outType),
                    new[] { input.Index }, row => (Delegate)method.Invoke(null, new object[] { row, input }));
            }));

        private static Delegate MakeGetter<T>(DataViewRow row, DataViewSchema.Column input)
        {
            VBuffer<T> values = default;
            input.GetKeyValues(ref values);
            var dense = new T[values.Length];
            values.CopyTo(dense);
            T missing = typeof(T) == typeof(float) ? (T)(object)float.NaN : typeof(T) == typeof(double) ? (T)(object)double.NaN : default;
            var read = KeyReader(row, input);
            T Map(ulong k) => k >= 1 && k <= (ulong)dense.Length ? dense[k - 1] : missing;
            if (input.Type is VectorDataViewType)
            {
                var g = VectorKeyReader(row, input);
                return (ValueGetter<VBuffer<T>>)((ref VBuffer<T> dst) =>
                {
                    var keys = g();
                    var editor = VBufferEditor.Create(ref dst, keys.Length);
                    for (int i = 0; i < keys.Length; i++)
                        editor.Values[i] = Map(keys[i]);
                    dst = editor.Commit();
                });
            }
            return (ValueGetter<T>)((ref T dst) => dst = Map(read()));
        }

        private static Func<ulong> KeyReader(DataViewRow row, DataViewSchema.Column column)
        {
            if (column.Type is VectorDataViewType)
                return null;
            var n = NumericReader.Make(row, column);
            return () => (ulong)n();
        }

        private static Func<ulong[]> VectorKeyReader(DataViewRow row, DataViewSchema.Column column)
        {
            var raw = ((VectorDataViewType)column.Type).ItemType.RawType;
            if (raw != typeof(uint))
                throw new NotSupportedException($"Key vectors of {raw.Name} are not supported by the stand-in; use UInt32 keys.");
            var g = row.GetGetter<VBuffer<uint>>(column);
            var buffer = default(VBuffer<uint>);
            return () =>
            {
                g(ref buffer);
                return buffer.DenseValues().Select(v => (ulong)v).ToArray();
            };
        }
    }

    /// <summary>Estimator for <see cref="KeyToValueMappingTransformer"/>.</summary>
    public sealed class KeyToValueMappingEstimator : TrivialEstimator<KeyToValueMappingTransformer>
    {
        private readonly (string outputColumnName, string inputColumnName)[] _columns;

        internal KeyToValueMappingEstimator(IHostEnvironment env, params (string outputColumnName, string inputColumnName)[] columns)
            : base(Contracts.CheckValue(env, nameof(env)).Register(nameof(KeyToValueMappingEstimator)), new KeyToValueMappingTransformer(env, columns))
        {
            _columns = columns;
        }

        public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            Contracts.CheckValue(inputSchema, nameof(inputSchema));
            var result = inputSchema.ToDictionary(c => c.Name);
            foreach (var (output, input) in _columns)
            {
                var col = Contracts.FindColumn(inputSchema, nameof(inputSchema), "input", input);
                if (!col.IsKey)
                    throw Contracts.ExceptSchemaMismatch(nameof(inputSchema), "input", input, "KeyType", col.GetTypeString());
                if (!col.Annotations.TryFindColumn(AnnotationKinds.KeyValues, out var kv))
                    throw Contracts.ExceptSchemaMismatch(nameof(inputSchema), "input", input, "a key column with KeyValues annotation", col.GetTypeString());
                result[output] = new SchemaShape.Column(output, col.Kind, kv.ItemType, kv.IsKey);
            }
            return new SchemaShape(result.Values);
        }
    }
}
