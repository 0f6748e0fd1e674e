using Microsoft.ML.Runtime;

namespace Microsoft.ML
{
    /// <summary>Transform factories; the methods are extension methods defined beside each transform.</summary>
    public sealed class TransformsCatalog : IInternalCatalog
    {
        private readonly IHostEnvironment _env;

        internal TransformsCatalog(IHostEnvironment env)
        {
            _env = env;
            Categorical = new CategoricalTransforms(env);
            Conversion = new ConversionTransforms(env);
            Text = new TextTransforms(env);
            FeatureSelection = new FeatureSelectionTransforms(env);
        }

        IHostEnvironment IInternalCatalog.Environment => _env;

        public CategoricalTransforms Categorical { get; }
        public ConversionTransforms Conversion { get; }
        public TextTransforms Text { get; }
        public FeatureSelectionTransforms FeatureSelection { get; }

        public sealed class CategoricalTransforms : IInternalCatalog
        {
            private readonly IHostEnvironment _env;
            internal CategoricalTransforms(IHostEnvironment env) => _env = env;
            IHostEnvironment IInternalCatalog.Environment => _env;
        }

        public sealed class ConversionTransforms : IInternalCatalog
        {
            private readonly IHostEnvironment _env;
            internal ConversionTransforms(IHostEnvironment env) => _env = env;
            IHostEnvironment IInternalCatalog.Environment => _env;
        }

        public sealed class TextTransforms : IInternalCatalog
        {
            private readonly IHostEnvironment _env;
            internal TextTransforms(IHostEnvironment env) => _env = env;
            IHostEnvironment IInternalCatalog.Environment => _env;
        }

        public sealed class FeatureSelectionTransforms : IInternalCatalog
        {
            private readonly IHostEnvironment _env;
            internal FeatureSelectionTransforms(IHostEnvironment env) => _env = env;
            IHostEnvironment IInternalCatalog.Environment => _env;
        }
    }

    internal static class CatalogUtils
    {
        public static IHostEnvironment GetEnvironment(object catalog)
            => (Contracts.CheckValue(catalog, nameof(catalog)) as IInternalCatalog)?.Environment
               ?? throw new ArgumentException("The catalog does not carry an environment.", nameof(catalog));
    }
}
