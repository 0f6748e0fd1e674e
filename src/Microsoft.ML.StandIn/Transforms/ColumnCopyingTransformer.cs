using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Transforms
{
    /// <summary>Copies columns under new names (values and annotations).</summary>
    public sealed class ColumnCopyingTransformer : OneToOneTransformerBase
    {
        internal const string LoaderSignature = "CopyTransform";

        internal ColumnCopyingTransformer(IHostEnvironment env, params (string outputColumnName, string inputColumnName)[] columns)
            : base(Contracts.CheckValue(env, nameof(env)).Register(nameof(ColumnCopyingTransformer)), columns)
        {
        }

        private protected override void SaveModel(ModelSaveContext ctx)
        {
            ctx.SetVersionInfo(LoaderSignature, 1);
            SaveColumns(ctx);
        }

        internal static ITransformer Load(IHostEnvironment env, ModelLoadContext ctx) => new ColumnCopyingTransformer(env, LoadColumns(ctx));

        private protected override IRowMapper MakeRowMapper(DataViewSchema schema)
            => new ColumnFunctionMapper(ColumnPairs.Select(pair =>
            {
                var input = Contracts.FindColumn(schema, nameof(schema), "input", pair.inputColumnName);
                var method = typeof(ColumnCopyingTransformer).GetMethod(nameof(Pass), BindingFlags.NonPublic | BindingFlags.Static).MakeGenericMethod(input.Type.RawType);
                return new ColumnFunctionMapper.OutputSpec(new DataViewSchema.DetachedColumn(pair.outputColumnName, input.Type, input.Annotations),
                    new[] { input.Index }, row => (Delegate)method.Invoke(null, new object[] { row, input }));
            }));

        private static ValueGetter<T> Pass<T>(DataViewRow row, DataViewSchema.Column column) => row.GetGetter<T>(column);
    }

    /// <summary>Estimator for <see cref="ColumnCopyingTransformer"/>.</summary>
    public sealed class ColumnCopyingEstimator : TrivialEstimator<ColumnCopyingTransformer>
    {
        private readonly (string outputColumnName, string inputColumnName)[] _columns;

        internal ColumnCopyingEstimator(IHostEnvironment env, params (string outputColumnName, string inputColumnName)[] columns)
            : base(Contracts.CheckValue(env, nameof(env)).Register(nameof(ColumnCopyingEstimator)), new ColumnCopyingTransformer(env, columns))
        {
            _columns = columns;
        }

        public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            Contracts.CheckValue(inputSchema, nameof(inputSchema));
            var result = inputSchema.ToDictionary(c => c.Name);
            foreach (var (output, input) in _columns)
            {
                var source = Contracts.FindColumn(inputSchema, nameof(inputSchema), "input", input);
                result[output] = new SchemaShape.Column(output, source.Kind, source.ItemType, source.IsKey, source.Annotations);
            }
            return new SchemaShape(result.Values);
        }
    }
}
