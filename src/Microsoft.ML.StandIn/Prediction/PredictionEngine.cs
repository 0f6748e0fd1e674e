using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML
{
    /// <summary>
    /// Scores one object at a time through a fitted model. Not thread-safe (it reuses one input object and its output
    /// buffers): give each thread its own engine (for example through a <see cref="ThreadLocal{T}"/> or an object pool),
    /// or score a batch with <c>model.Transform</c>, which is safe to call from many threads.
    /// </summary>
    public abstract class PredictionEngineBase<TSrc, TDst> : IDisposable
        where TSrc : class
        where TDst : class, new()
    {
        private readonly DataViewRow _output;
        private readonly Action<object> _fill;
        private readonly InputRow<TSrc> _input;
        private bool _disposed;

        private protected PredictionEngineBase(ITransformer transformer, bool ignoreMissingColumns, SchemaDefinition inputSchemaDefinition,
            SchemaDefinition outputSchemaDefinition, DataViewSchema inputSchema)
        {
            Contracts.CheckValue(transformer, nameof(transformer));
            Contracts.CheckParam(transformer.IsRowToRowMapper, nameof(transformer), "Must be a row to row mapper");
            var inputBinding = new RowClassBinding(typeof(TSrc), inputSchemaDefinition, SchemaDefinition.Direction.Read, inputSchema);
            _input = new InputRow<TSrc>(inputBinding);
            var mapper = transformer.GetRowToRowMapper(_input.Schema);
            OutputSchema = mapper.OutputSchema;
            var outputBinding = new RowClassBinding(typeof(TDst), outputSchemaDefinition, SchemaDefinition.Direction.Write);
            var active = outputBinding.Columns
                .Select(c => OutputSchema.GetColumnOrNull(c.Name))
                .Where(c => c.HasValue)
                .Select(c => c.Value)
                .ToArray();
            _output = mapper.GetRow(_input, active);
            _fill = outputBinding.MakeFiller(_output, ignoreMissingColumns);
        }

        public DataViewSchema OutputSchema { get; }

        public TDst Predict(TSrc example)
        {
            var result = new TDst();
            Predict(example, ref result);
            return result;
        }

        public abstract void Predict(TSrc example, ref TDst prediction);

        private protected void PredictCore(TSrc example, ref TDst prediction)
        {
            Contracts.CheckValue(example, nameof(example));
            if (_disposed)
                throw new ObjectDisposedException(GetType().Name);
            prediction ??= new TDst();
            _input.Set(example);
            _fill(prediction);
        }

        public void Dispose()
        {
            if (_disposed)
                return;
            _disposed = true;
            _output.Dispose();
        }
    }

    public sealed class PredictionEngine<TSrc, TDst> : PredictionEngineBase<TSrc, TDst>
        where TSrc : class
        where TDst : class, new()
    {
        internal PredictionEngine(ITransformer transformer, bool ignoreMissingColumns, SchemaDefinition inputSchemaDefinition,
            SchemaDefinition outputSchemaDefinition, DataViewSchema inputSchema)
            : base(transformer, ignoreMissingColumns, inputSchemaDefinition, outputSchemaDefinition, inputSchema)
        {
        }

        public override void Predict(TSrc example, ref TDst prediction) => PredictCore(example, ref prediction);
    }

    public sealed class PredictionEngineOptions
    {
        public bool IgnoreMissingColumns = true;
        public SchemaDefinition InputSchemaDefinition = null;
        public SchemaDefinition OutputSchemaDefinition = null;
        public bool OwnsTransformer = true;
    }
}
