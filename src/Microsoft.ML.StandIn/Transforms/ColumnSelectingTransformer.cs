using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Transforms
{
    /// <summary>Keeps or drops columns.</summary>
    public sealed class ColumnSelectingTransformer : ITransformer
    {
        internal const string LoaderSignature = "SelectColumnsTransform";

        private readonly string[] _keep;
        private readonly string[] _drop;
        private readonly bool _keepHidden;

        internal ColumnSelectingTransformer(IHostEnvironment env, string[] keepColumns, string[] dropColumns, bool keepHidden = false)
        {
            Contracts.CheckValue(env, nameof(env));
            Contracts.Check((keepColumns == null) != (dropColumns == null), "Exactly one of the keep or drop column lists must be given.");
            _keep = keepColumns;
            _drop = dropColumns;
            _keepHidden = keepHidden;
        }

        public bool IsRowToRowMapper => true;

        private int[] Indices(DataViewSchema schema)
        {
            if (_keep != null)
            {
                foreach (var name in _keep)
                    Contracts.FindColumn(schema, "inputSchema", "keep", name);
                var keep = new HashSet<string>(_keep);
                return schema.Where(c => keep.Contains(c.Name) && (_keepHidden || !c.IsHidden)).Select(c => c.Index).ToArray();
            }
            foreach (var name in _drop)
                Contracts.FindColumn(schema, "inputSchema", "drop", name);
            var drop = new HashSet<string>(_drop);
            return schema.Where(c => !drop.Contains(c.Name) && (_keepHidden || !c.IsHidden)).Select(c => c.Index).ToArray();
        }

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
        {
            Contracts.CheckValue(inputSchema, nameof(inputSchema));
            return new ColumnSubsetDataView(new EmptyDataView(inputSchema), Indices(inputSchema)).Schema;
        }

        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
        {
            Contracts.CheckValue(inputSchema, nameof(inputSchema));
            return new ColumnSubsetDataView(new EmptyDataView(inputSchema), Indices(inputSchema));
        }

        public IDataView Transform(IDataView input)
        {
            Contracts.CheckValue(input, nameof(input));
            return new ColumnSubsetDataView(input, Indices(input.Schema));
        }

        void ICanSaveModel.Save(ModelSaveContext ctx)
        {
            ctx.SetVersionInfo(LoaderSignature, 1);
            ctx.Writer.Write(_keep != null);
            var list = _keep ?? _drop;
            ctx.Writer.Write(list.Length);
            foreach (var name in list)
                ctx.Writer.Write(name);
            ctx.Writer.Write(_keepHidden);
        }

        internal static ITransformer Load(IHostEnvironment env, ModelLoadContext ctx)
        {
            bool keep = ctx.Reader.ReadBoolean();
            int n = ctx.Reader.ReadInt32();
            if (n < 0 || n > 100_000)
                throw ctx.Corrupt($"invalid column count {n}");
            var names = new string[n];
            for (int i = 0; i < n; i++)
                names[i] = ctx.Reader.ReadString();
            bool hidden = ctx.Reader.ReadBoolean();
            return keep ? new ColumnSelectingTransformer(env, names, null, hidden) : new ColumnSelectingTransformer(env, null, names, hidden);
        }
    }

    /// <summary>Estimator for <see cref="ColumnSelectingTransformer"/>.</summary>
    public sealed class ColumnSelectingEstimator : TrivialEstimator<ColumnSelectingTransformer>
    {
        private readonly string[] _keep;
        private readonly string[] _drop;

        internal ColumnSelectingEstimator(IHostEnvironment env, string[] keepColumns, string[] dropColumns, bool keepHidden = false)
            : base(Contracts.CheckValue(env, nameof(env)).Register(nameof(ColumnSelectingEstimator)), new ColumnSelectingTransformer(env, keepColumns, dropColumns, keepHidden))
        {
            _keep = keepColumns;
            _drop = dropColumns;
        }

        public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            Contracts.CheckValue(inputSchema, nameof(inputSchema));
            foreach (var name in (_keep ?? _drop))
                Contracts.FindColumn(inputSchema, nameof(inputSchema), _keep != null ? "keep" : "drop", name);
            var set = new HashSet<string>(_keep ?? _drop);
            return new SchemaShape(inputSchema.Where(c => _keep != null ? set.Contains(c.Name) : !set.Contains(c.Name)));
        }
    }
}
