using System.Collections;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Data
{
    /// <summary>A sequence of transformers applied in order; the result of fitting an <see cref="EstimatorChain{TLastTransformer}"/>.</summary>
    public sealed class TransformerChain<TLastTransformer> : ITransformer, IEnumerable<ITransformer>, IDisposable
        where TLastTransformer : class, ITransformer
    {
        internal const string LoaderSignature = "TransformerChain";

        private readonly ITransformer[] _transformers;
        private readonly TransformerScope[] _scopes;

        public readonly TLastTransformer LastTransformer;

        public TransformerChain(params ITransformer[] transformers)
        {
            Contracts.CheckValue(transformers, nameof(transformers));
            _transformers = transformers.ToArray();
            _scopes = _transformers.Select(_ => TransformerScope.Everything).ToArray();
            LastTransformer = _transformers.LastOrDefault() as TLastTransformer;
            Contracts.Check(_transformers.Length == 0 || LastTransformer != null, $"The last transformer is not a {typeof(TLastTransformer).Name}.");
        }

        public TransformerChain(IEnumerable<ITransformer> transformers, IEnumerable<TransformerScope> scopes)
        {
            Contracts.CheckValue(transformers, nameof(transformers));
            Contracts.CheckValue(scopes, nameof(scopes));
            _transformers = transformers.ToArray();
            _scopes = scopes.ToArray();
            Contracts.CheckParam(_transformers.Length == _scopes.Length, nameof(scopes), "There must be one scope per transformer.");
            LastTransformer = _transformers.LastOrDefault() as TLastTransformer;
            Contracts.Check(_transformers.Length == 0 || LastTransformer != null, $"The last transformer is not a {typeof(TLastTransformer).Name}.");
        }

        public bool IsRowToRowMapper => _transformers.All(t => t.IsRowToRowMapper);

        public TransformerChain<TNewLast> Append<TNewLast>(TNewLast transformer, TransformerScope scope = TransformerScope.Everything)
            where TNewLast : class, ITransformer
        {
            Contracts.CheckValue(transformer, nameof(transformer));
            return new TransformerChain<TNewLast>(_transformers.Append(transformer), _scopes.Append(scope));
        }

        public TransformerChain<ITransformer> GetModelFor(TransformerScope scopeFilter)
        {
            var keep = Enumerable.Range(0, _transformers.Length).Where(i => (_scopes[i] & scopeFilter) != 0).ToArray();
            return new TransformerChain<ITransformer>(keep.Select(i => _transformers[i]), keep.Select(i => _scopes[i]));
        }

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => GetOutputSchema(inputSchema, TransformerScope.Everything);

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema, TransformerScope scope)
        {
            Contracts.CheckValue(inputSchema, nameof(inputSchema));
            var schema = inputSchema;
            for (int i = 0; i < _transformers.Length; i++)
            {
                if ((_scopes[i] & scope) != 0)
                    schema = _transformers[i].GetOutputSchema(schema);
            }
            return schema;
        }

        public IDataView Transform(IDataView input) => Transform(input, TransformerScope.Everything);

        public IDataView Transform(IDataView input, TransformerScope scope)
        {
            Contracts.CheckValue(input, nameof(input));
            // Check the whole chain's schema first, so that a mismatch is reported before any data is read.
            GetOutputSchema(input.Schema, scope);
            var data = input;
            for (int i = 0; i < _transformers.Length; i++)
            {
                if ((_scopes[i] & scope) != 0)
                    data = _transformers[i].Transform(data);
            }
            return data;
        }

        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
        {
            Contracts.CheckValue(inputSchema, nameof(inputSchema));
            Contracts.Check(IsRowToRowMapper, "Some transformers in this chain are not row-to-row mappers.");
            var mappers = new List<IRowToRowMapper>();
            var schema = inputSchema;
            foreach (var t in _transformers)
            {
                var mapper = t.GetRowToRowMapper(schema);
                mappers.Add(mapper);
                schema = mapper.OutputSchema;
            }
            return new CompositeRowToRowMapper(inputSchema, mappers.ToArray());
        }

        public IEnumerator<ITransformer> GetEnumerator() => ((IEnumerable<ITransformer>)_transformers).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public void Dispose()
        {
            foreach (var t in _transformers)
                (t as IDisposable)?.Dispose();
        }

        void ICanSaveModel.Save(ModelSaveContext ctx)
        {
            ctx.SetVersionInfo(LoaderSignature, 1);
            ctx.Writer.Write(_transformers.Length);
            for (int i = 0; i < _transformers.Length; i++)
            {
                ctx.Writer.Write((int)_scopes[i]);
                ctx.SaveSubModel($"Transform_{i:000}", _transformers[i]);
            }
        }

        internal static TransformerChain<ITransformer> Load(IHostEnvironment env, ModelLoadContext ctx)
        {
            int count = ctx.Reader.ReadInt32();
            if (count < 0 || count > 10_000)
                throw ctx.Corrupt($"invalid transformer count {count}");
            var transformers = new ITransformer[count];
            var scopes = new TransformerScope[count];
            for (int i = 0; i < count; i++)
            {
                scopes[i] = (TransformerScope)ctx.Reader.ReadInt32();
                using var child = ctx.OpenSubModel($"Transform_{i:000}");
                transformers[i] = ModelRegistry.LoadTransformer(env, child);
            }
            return new TransformerChain<ITransformer>(transformers, scopes);
        }
    }

    /// <summary>Composes row-to-row mappers: each maps the previous one's output row.</summary>
    internal sealed class CompositeRowToRowMapper : IRowToRowMapper
    {
        private readonly IRowToRowMapper[] _mappers;

        public CompositeRowToRowMapper(DataViewSchema inputSchema, IRowToRowMapper[] mappers)
        {
            InputSchema = inputSchema;
            _mappers = mappers;
            OutputSchema = mappers.Length == 0 ? inputSchema : mappers[^1].OutputSchema;
        }

        public DataViewSchema InputSchema { get; }
        public DataViewSchema OutputSchema { get; }

        public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
        {
            var columns = dependingColumns;
            for (int i = _mappers.Length - 1; i >= 0; i--)
                columns = _mappers[i].GetDependencies(columns).ToArray();
            return columns;
        }

        public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
        {
            if (_mappers.Length == 0)
                return input;
            // Work out which columns each stage must produce, from the last stage backwards.
            var active = new IEnumerable<DataViewSchema.Column>[_mappers.Length];
            var needed = activeColumns.ToArray();
            for (int i = _mappers.Length - 1; i >= 0; i--)
            {
                active[i] = needed;
                needed = _mappers[i].GetDependencies(needed).ToArray();
            }
            var row = input;
            for (int i = 0; i < _mappers.Length; i++)
                row = _mappers[i].GetRow(row, active[i]);
            return row;
        }
    }
}
