using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Text;

namespace Microsoft.ML
{
    /// <summary>An output column and the input column it is computed from (the input defaults to the output's name).</summary>
    public sealed class InputOutputColumnPair
    {
        public InputOutputColumnPair(string outputColumnName, string inputColumnName = null)
        {
            Contracts.CheckNonEmpty(outputColumnName, nameof(outputColumnName));
            OutputColumnName = outputColumnName;
            InputColumnName = inputColumnName ?? outputColumnName;
        }

        public string InputColumnName { get; }
        public string OutputColumnName { get; }
    }

    /// <summary>Column concatenation, copying and selection.</summary>
    public static class TransformExtensionsCatalog
    {
        public static ColumnConcatenatingEstimator Concatenate(this TransformsCatalog catalog, string outputColumnName, params string[] inputColumnNames)
            => new ColumnConcatenatingEstimator(CatalogUtils.GetEnvironment(catalog), outputColumnName, inputColumnNames);

        public static ColumnCopyingEstimator CopyColumns(this TransformsCatalog catalog, string outputColumnName, string inputColumnName)
        {
            Contracts.CheckNonEmpty(outputColumnName, nameof(outputColumnName));
            Contracts.CheckNonEmpty(inputColumnName, nameof(inputColumnName));
            return new ColumnCopyingEstimator(CatalogUtils.GetEnvironment(catalog), (outputColumnName, inputColumnName));
        }

        public static ColumnSelectingEstimator DropColumns(this TransformsCatalog catalog, params string[] columnNames)
        {
            Contracts.CheckValue(columnNames, nameof(columnNames));
            return new ColumnSelectingEstimator(CatalogUtils.GetEnvironment(catalog), null, columnNames);
        }

        public static ColumnSelectingEstimator SelectColumns(this TransformsCatalog catalog, params string[] columnNames)
            => SelectColumns(catalog, columnNames, false);

        public static ColumnSelectingEstimator SelectColumns(this TransformsCatalog catalog, string[] columnNames, bool keepHidden)
        {
            Contracts.CheckValue(columnNames, nameof(columnNames));
            return new ColumnSelectingEstimator(CatalogUtils.GetEnvironment(catalog), columnNames, null, keepHidden);
        }
    }

    /// <summary>Key mapping.</summary>
    public static class ConversionsExtensionsCatalog
    {
        public static ValueToKeyMappingEstimator MapValueToKey(this TransformsCatalog.ConversionTransforms catalog, string outputColumnName,
            string inputColumnName = null, int maximumNumberOfKeys = 1000000,
            ValueToKeyMappingEstimator.KeyOrdinality keyOrdinality = ValueToKeyMappingEstimator.KeyOrdinality.ByOccurrence,
            bool addKeyValueAnnotationsAsText = false, IDataView keyData = null)
            => new ValueToKeyMappingEstimator(CatalogUtils.GetEnvironment(catalog), new[] { (outputColumnName, inputColumnName ?? outputColumnName) },
                maximumNumberOfKeys, keyOrdinality, addKeyValueAnnotationsAsText, keyData);

        public static ValueToKeyMappingEstimator MapValueToKey(this TransformsCatalog.ConversionTransforms catalog, InputOutputColumnPair[] columns,
            int maximumNumberOfKeys = 1000000,
            ValueToKeyMappingEstimator.KeyOrdinality keyOrdinality = ValueToKeyMappingEstimator.KeyOrdinality.ByOccurrence,
            bool addKeyValueAnnotationsAsText = false, IDataView keyData = null)
        {
            Contracts.CheckValue(columns, nameof(columns));
            return new ValueToKeyMappingEstimator(CatalogUtils.GetEnvironment(catalog), columns.Select(c => (c.OutputColumnName, c.InputColumnName)).ToArray(),
                maximumNumberOfKeys, keyOrdinality, addKeyValueAnnotationsAsText, keyData);
        }

        public static KeyToValueMappingEstimator MapKeyToValue(this TransformsCatalog.ConversionTransforms catalog, string outputColumnName, string inputColumnName = null)
        {
            Contracts.CheckNonEmpty(outputColumnName, nameof(outputColumnName));
            return new KeyToValueMappingEstimator(CatalogUtils.GetEnvironment(catalog), (outputColumnName, inputColumnName ?? outputColumnName));
        }

        public static KeyToValueMappingEstimator MapKeyToValue(this TransformsCatalog.ConversionTransforms catalog, InputOutputColumnPair[] columns)
        {
            Contracts.CheckValue(columns, nameof(columns));
            return new KeyToValueMappingEstimator(CatalogUtils.GetEnvironment(catalog), columns.Select(c => (c.OutputColumnName, c.InputColumnName)).ToArray());
        }
    }

    /// <summary>Text transforms.</summary>
    public static class TextCatalog
    {
        public static WordTokenizingEstimator TokenizeIntoWords(this TransformsCatalog.TextTransforms catalog, string outputColumnName,
            string inputColumnName = null, char[] separators = null)
        {
            Contracts.CheckNonEmpty(outputColumnName, nameof(outputColumnName));
            return new WordTokenizingEstimator(CatalogUtils.GetEnvironment(catalog), separators, (outputColumnName, inputColumnName ?? outputColumnName));
        }
    }

    /// <summary>Normalization.</summary>
    public static class NormalizationCatalog
    {
        public static NormalizingEstimator NormalizeMinMax(this TransformsCatalog catalog, string outputColumnName, string inputColumnName = null,
            long maximumExampleCount = 1000000000, bool fixZero = true)
        {
            Contracts.CheckNonEmpty(outputColumnName, nameof(outputColumnName));
            return new NormalizingEstimator(CatalogUtils.GetEnvironment(catalog), NormalizingEstimator.Mode.MinMax,
                new[] { (outputColumnName, inputColumnName ?? outputColumnName) }, maximumExampleCount, fixZero);
        }

        public static NormalizingEstimator NormalizeMeanVariance(this TransformsCatalog catalog, string outputColumnName, string inputColumnName = null,
            long maximumExampleCount = 1000000000, bool fixZero = true, bool useCdf = false)
        {
            Contracts.CheckNonEmpty(outputColumnName, nameof(outputColumnName));
            if (useCdf)
                throw new NotSupportedException("useCdf is not supported by the stand-in's mean-variance normalizer.");
            return new NormalizingEstimator(CatalogUtils.GetEnvironment(catalog), NormalizingEstimator.Mode.MeanVariance,
                new[] { (outputColumnName, inputColumnName ?? outputColumnName) }, maximumExampleCount, fixZero);
        }
    }
}
