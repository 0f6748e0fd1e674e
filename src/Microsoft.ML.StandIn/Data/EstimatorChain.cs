using Microsoft.ML.Runtime;

namespace Microsoft.ML.Data
{
    /// <summary>A sequence of estimators fitted in order, each on the output of the transformers before it.</summary>
    public sealed class EstimatorChain<TLastTransformer> : IEstimator<TransformerChain<TLastTransformer>>, IEstimatorChain
        where TLastTransformer : class, ITransformer
    {
        private readonly IEstimator<ITransformer>[] _estimators;
        private readonly TransformerScope[] _scopes;

        public readonly IEstimator<TLastTransformer> LastEstimator;

        public EstimatorChain()
        {
            _estimators = Array.Empty<IEstimator<ITransformer>>();
            _scopes = Array.Empty<TransformerScope>();
            LastEstimator = null;
        }

        IEstimator<ITransformer>[] IEstimatorChain.Estimators => _estimators;
        TransformerScope[] IEstimatorChain.Scopes => _scopes;

        internal EstimatorChain(IEstimator<ITransformer>[] estimators, TransformerScope[] scopes)
        {
            _estimators = estimators;
            _scopes = scopes;
            LastEstimator = estimators.LastOrDefault() as IEstimator<TLastTransformer>;
        }

        public EstimatorChain<TNewTrans> Append<TNewTrans>(IEstimator<TNewTrans> estimator, TransformerScope scope = TransformerScope.Everything)
            where TNewTrans : class, ITransformer
        {
            Contracts.CheckValue(estimator, nameof(estimator));
            return new EstimatorChain<TNewTrans>(_estimators.Append(estimator).ToArray(), _scopes.Append(scope).ToArray());
        }

        public EstimatorChain<TLastTransformer> AppendCacheCheckpoint(IHostEnvironment env)
        {
            Contracts.CheckValue(env, nameof(env));
            if (_estimators.Length == 0)
                return this;
            return new EstimatorChain<TLastTransformer>(_estimators.Append(new CacheCheckpointEstimator()).ToArray(), _scopes.Append(TransformerScope.Training).ToArray())
                .ReplaceLast(_estimators);
        }

        private EstimatorChain<TLastTransformer> ReplaceLast(IEstimator<ITransformer>[] original)
        {
            // The checkpoint is a training-time marker: keep LastEstimator pointing at the real last estimator.
            return new EstimatorChain<TLastTransformer>(_estimators, _scopes, original.LastOrDefault() as IEstimator<TLastTransformer>);
        }

        private EstimatorChain(IEstimator<ITransformer>[] estimators, TransformerScope[] scopes, IEstimator<TLastTransformer> last)
        {
            _estimators = estimators;
            _scopes = scopes;
            LastEstimator = last;
        }

        public TransformerChain<TLastTransformer> Fit(IDataView input)
        {
            Contracts.CheckValue(input, nameof(input));
            // Validate the whole chain's schema before fitting anything.
            GetOutputSchema(SchemaShape.Create(input.Schema));
            var data = input;
            var fitted = new List<ITransformer>();
            var scopes = new List<TransformerScope>();
            for (int i = 0; i < _estimators.Length; i++)
            {
                if (_estimators[i] is CacheCheckpointEstimator)
                {
                    data = new CacheDataView(data);
                    continue;
                }
                var transformer = _estimators[i].Fit(data);
                fitted.Add(transformer);
                scopes.Add(_scopes[i]);
                if (i < _estimators.Length - 1)
                    data = transformer.Transform(data);
            }
            return new TransformerChain<TLastTransformer>(fitted, scopes);
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            Contracts.CheckValue(inputSchema, nameof(inputSchema));
            var shape = inputSchema;
            foreach (var estimator in _estimators)
                shape = estimator.GetOutputSchema(shape);
            return shape;
        }

    }

    /// <summary>Marks where a chain caches its data while fitting.</summary>
    internal sealed class CacheCheckpointEstimator : IEstimator<ITransformer>
    {
        public ITransformer Fit(IDataView input) => throw new InvalidOperationException("A cache checkpoint is not fitted.");
        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inputSchema;
    }

    internal interface IEstimatorChain
    {
        IEstimator<ITransformer>[] Estimators { get; }
        TransformerScope[] Scopes { get; }
    }

    /// <summary>Chaining helpers: <c>estimator.Append(estimator)</c>, <c>transformer.Append(transformer)</c>.</summary>
    public static class LearningPipelineExtensions
    {
        public static EstimatorChain<TTrans> Append<TTrans>(this IEstimator<ITransformer> start, IEstimator<TTrans> estimator,
            TransformerScope scope = TransformerScope.Everything)
            where TTrans : class, ITransformer
        {
            Contracts.CheckValue(start, nameof(start));
            Contracts.CheckValue(estimator, nameof(estimator));
            if (start is IEstimatorChain chain)
                return new EstimatorChain<TTrans>(chain.Estimators.Append(estimator).ToArray(), chain.Scopes.Append(scope).ToArray());
            return new EstimatorChain<ITransformer>().Append(start).Append(estimator, scope);
        }

        public static TransformerChain<TTrans> Append<TTrans>(this ITransformer start, TTrans transformer)
            where TTrans : class, ITransformer
        {
            Contracts.CheckValue(start, nameof(start));
            Contracts.CheckValue(transformer, nameof(transformer));
            return new TransformerChain<TTrans>(start, transformer);
        }

        public static EstimatorChain<TTrans> AppendCacheCheckpoint<TTrans>(this IEstimator<TTrans> start, IHostEnvironment env)
            where TTrans : class, ITransformer
        {
            Contracts.CheckValue(start, nameof(start));
            return new EstimatorChain<TTrans>().Append(start).AppendCacheCheckpoint(env);
        }
    }
}
