using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Trainers
{
    /// <summary>The checked settings of an L-BFGS trainer, read once from its options class.</summary>
    internal sealed record LbfgsSettings(string LabelColumnName, string FeatureColumnName, string ExampleWeightColumnName,
        float L2Regularization, float L1Regularization, float OptimizationTolerance, int HistorySize, int MaximumNumberOfIterations,
        bool EnforceNonNegativity)
    {
        public LbfgsSettings Checked()
        {
            Contracts.CheckNonEmpty(LabelColumnName, "labelColumnName");
            Contracts.CheckNonEmpty(FeatureColumnName, "featureColumnName");
            Contracts.CheckUserArg(L2Regularization >= 0, "l2Regularization", "Must be non-negative");
            Contracts.CheckUserArg(L1Regularization >= 0, "l1Regularization", "Must be non-negative");
            Contracts.CheckUserArg(OptimizationTolerance > 0, "optimizationTolerance", "Must be positive");
            Contracts.CheckUserArg(HistorySize > 0, "historySize", "Must be positive");
            Contracts.CheckUserArg(MaximumNumberOfIterations > 0, "maximumNumberOfIterations", "Must be positive");
            return this;
        }
    }

    /// <summary>Training rows of the L-BFGS trainers, read into memory, and their shared checks.</summary>
    internal sealed class LbfgsData
    {
        public int Count;
        public int Dimension;
        public List<float[]> Features = new();
        public List<float> Labels = new();
        public List<float> Weights = new();

        public static LbfgsOptimizer Optimizer(LbfgsSettings settings, bool[] mask)
            => new LbfgsOptimizer(settings.HistorySize, settings.OptimizationTolerance, settings.MaximumNumberOfIterations,
                settings.L1Regularization, mask, settings.EnforceNonNegativity, mask);

        public static void CheckFinite(double value, double[] x)
        {
            if (double.IsNaN(value) || double.IsInfinity(value) || x.Any(v => double.IsNaN(v) || double.IsInfinity(v)))
                throw new InvalidOperationException("Training diverged: the objective or the weights are not finite. Check the features for NaN/infinite values or normalize them.");
        }

        public static void CheckFeatures(SchemaShape schema, string name)
        {
            var feature = Contracts.FindColumn(schema, "inputSchema", "feature", name);
            if (feature.Kind != SchemaShape.Column.VectorKind.Vector || feature.ItemType != NumberDataViewType.Single || feature.IsKey)
                throw Contracts.ExceptSchemaMismatch("inputSchema", "feature", name, "known-size vector of Single", feature.GetTypeString());
        }

        public static void CheckWeight(SchemaShape schema, string name)
        {
            if (name == null)
                return;
            var weight = Contracts.FindColumn(schema, "inputSchema", "example weight", name);
            if (weight.Kind != SchemaShape.Column.VectorKind.Scalar || weight.ItemType != NumberDataViewType.Single)
                throw Contracts.ExceptSchemaMismatch("inputSchema", "example weight", name, "Single", weight.GetTypeString());
        }

        /// <summary>Reads all rows; rows with a missing label or a non-finite feature are skipped, as ML.NET does.</summary>
        public static LbfgsData Read(IDataView input, string featureName, string labelName, string weightName, bool multiclass, out int classes)
        {
            var feature = input.Schema[featureName];
            var label = input.Schema[labelName];
            var weightColumn = weightName == null ? (DataViewSchema.Column?)null : input.Schema[weightName];
            var data = new LbfgsData { Dimension = ((VectorDataViewType)feature.Type).Size };
            var needed = new List<DataViewSchema.Column> { feature, label };
            if (weightColumn.HasValue)
                needed.Add(weightColumn.Value);
            int maxClass = -1;
            int keyClasses = label.Type is KeyDataViewType key ? (int)key.Count : 0;
            using (var cursor = input.GetRowCursor(needed))
            {
                var features = cursor.GetGetter<VBuffer<float>>(feature);
                var readLabel = NumericReader.Make(cursor, label);
                var weight = weightColumn.HasValue ? cursor.GetGetter<float>(weightColumn.Value) : null;
                var buffer = default(VBuffer<float>);
                while (cursor.MoveNext())
                {
                    double y = readLabel();
                    float w = 1;
                    weight?.Invoke(ref w);
                    if (double.IsNaN(y) || !(w > 0) || float.IsInfinity(w))
                        continue;
                    if (multiclass)
                    {
                        if (label.Type is KeyDataViewType)
                        {
                            if (y == 0)
                                continue;
                            y -= 1;
                        }
                        else if (y < 0 || y != Math.Floor(y))
                        {
                            throw new ArgumentOutOfRangeException(nameof(input), $"Label column '{labelName}' has the value {y}; a Single label of a multiclass trainer must be a non-negative integer.");
                        }
                        maxClass = Math.Max(maxClass, (int)y);
                    }
                    features(ref buffer);
                    var f = new float[data.Dimension];
                    buffer.CopyTo(f);
                    if (f.Any(v => float.IsNaN(v) || float.IsInfinity(v)))
                        continue;
                    data.Features.Add(f);
                    data.Labels.Add((float)y);
                    data.Weights.Add(w);
                }
            }
            data.Count = data.Features.Count;
            if (data.Count == 0)
                throw new InvalidOperationException($"No valid training rows: every row has a missing label in '{labelName}' or a non-finite value in '{featureName}'.");
            classes = multiclass ? Math.Max(keyClasses, maxClass + 1) : 2;
            return data;
        }
    }
}
