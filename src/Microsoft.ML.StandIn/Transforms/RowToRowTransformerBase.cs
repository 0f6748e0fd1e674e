using Microsoft.ML.Runtime;

namespace Microsoft.ML.Data
{
    /// <summary>Base of transformers that add columns and keep the existing ones. Not derivable outside ML.NET (as in ML.NET).</summary>
    public abstract class RowToRowTransformerBase : ITransformer
    {
        private protected readonly IHost Host;

        private protected RowToRowTransformerBase(IHost host)
        {
            Host = host;
        }

        void ICanSaveModel.Save(ModelSaveContext ctx) => SaveModel(ctx);

        private protected abstract void SaveModel(ModelSaveContext ctx);

        bool ITransformer.IsRowToRowMapper => true;

        IRowToRowMapper ITransformer.GetRowToRowMapper(DataViewSchema inputSchema)
        {
            Contracts.CheckValue(inputSchema, nameof(inputSchema));
            return new RowToRowMapperTransform(inputSchema, MakeRowMapper(inputSchema));
        }

        private protected abstract IRowMapper MakeRowMapper(DataViewSchema schema);

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
        {
            Contracts.CheckValue(inputSchema, nameof(inputSchema));
            return RowToRowMapperTransform.GetOutputSchema(inputSchema, MakeRowMapper(inputSchema));
        }

        public IDataView Transform(IDataView input)
        {
            Contracts.CheckValue(input, nameof(input));
            return new RowToRowMapperTransform(input, MakeRowMapper(input.Schema));
        }
    }

    /// <summary>Base of transformers that map each input column to one output column.</summary>
    public abstract class OneToOneTransformerBase : RowToRowTransformerBase
    {
        private protected OneToOneTransformerBase(IHost host, params (string outputColumnName, string inputColumnName)[] columns)
            : base(host)
        {
            Contracts.CheckValue(columns, nameof(columns));
            foreach (var (output, input) in columns)
            {
                Contracts.CheckNonEmpty(output, nameof(columns));
                Contracts.CheckNonEmpty(input, nameof(columns));
            }
            ColumnPairs = columns;
        }

        internal (string outputColumnName, string inputColumnName)[] ColumnPairs { get; }

        private protected void SaveColumns(ModelSaveContext ctx)
        {
            ctx.Writer.Write(ColumnPairs.Length);
            foreach (var (output, input) in ColumnPairs)
            {
                ctx.Writer.Write(output);
                ctx.Writer.Write(input);
            }
        }

        private protected static (string, string)[] LoadColumns(ModelLoadContext ctx)
        {
            int n = ctx.Reader.ReadInt32();
            if (n < 0 || n > 100_000)
                throw ctx.Corrupt($"invalid column count {n}");
            var pairs = new (string, string)[n];
            for (int i = 0; i < n; i++)
                pairs[i] = (ctx.Reader.ReadString(), ctx.Reader.ReadString());
            return pairs;
        }
    }

    /// <summary>An estimator whose transformer needs no training. Not derivable outside ML.NET (as in ML.NET).</summary>
    public abstract class TrivialEstimator<TTransformer> : IEstimator<TTransformer>
        where TTransformer : class, ITransformer
    {
        private protected readonly IHost Host;
        private protected readonly TTransformer Transformer;

        private protected TrivialEstimator(IHost host, TTransformer transformer)
        {
            Host = host;
            Transformer = transformer;
        }

        public TTransformer Fit(IDataView input)
        {
            Contracts.CheckValue(input, nameof(input));
            GetOutputSchema(SchemaShape.Create(input.Schema));
            return Transformer;
        }

        public abstract SchemaShape GetOutputSchema(SchemaShape inputSchema);
    }
}
