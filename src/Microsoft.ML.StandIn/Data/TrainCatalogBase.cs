using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML
{
    /// <summary>Base of the task catalogs (binary, multiclass, regression).</summary>
    public abstract class TrainCatalogBase : IInternalCatalog
    {
        private protected TrainCatalogBase(IHostEnvironment env)
        {
            Environment = env;
        }

        private protected IHostEnvironment Environment { get; }

        IHostEnvironment IInternalCatalog.Environment => Environment;

        public abstract class CatalogInstantiatorBase : IInternalCatalog
        {
            private protected CatalogInstantiatorBase(TrainCatalogBase catalog)
            {
                Owner = catalog;
            }

            private protected TrainCatalogBase Owner { get; }

            IHostEnvironment IInternalCatalog.Environment => Owner.Environment;
        }

        public sealed class CrossValidationResult<T>
            where T : class
        {
            public readonly T Metrics;
            public readonly ITransformer Model;
            public readonly IDataView ScoredHoldOutSet;
            public readonly int Fold;

            internal CrossValidationResult(ITransformer model, T metrics, IDataView scores, int fold)
            {
                Model = model;
                Metrics = metrics;
                ScoredHoldOutSet = scores;
                Fold = fold;
            }
        }
    }

    /// <summary>Multiclass classification: trainers and evaluation.</summary>
    public sealed class MulticlassClassificationCatalog : TrainCatalogBase
    {
        internal MulticlassClassificationCatalog(IHostEnvironment env)
            : base(env)
        {
            Trainers = new MulticlassClassificationTrainers(this);
        }

        public MulticlassClassificationTrainers Trainers { get; }

        public MulticlassClassificationMetrics Evaluate(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score",
            string predictedLabelColumnName = "PredictedLabel", int topKPredictionCount = 0)
        {
            Contracts.CheckValue(data, nameof(data));
            Contracts.CheckNonEmpty(labelColumnName, nameof(labelColumnName));
            Contracts.CheckNonEmpty(scoreColumnName, nameof(scoreColumnName));
            Contracts.CheckNonEmpty(predictedLabelColumnName, nameof(predictedLabelColumnName));
            Contracts.CheckParam(topKPredictionCount >= 0, nameof(topKPredictionCount), "Must be non-negative");
            return MulticlassEvaluator.Evaluate(data, labelColumnName, scoreColumnName, predictedLabelColumnName, topKPredictionCount);
        }

        public sealed class MulticlassClassificationTrainers : CatalogInstantiatorBase
        {
            internal MulticlassClassificationTrainers(MulticlassClassificationCatalog catalog)
                : base(catalog)
            {
            }
        }
    }

    /// <summary>Binary classification: trainers and evaluation.</summary>
    public sealed class BinaryClassificationCatalog : TrainCatalogBase
    {
        internal BinaryClassificationCatalog(IHostEnvironment env)
            : base(env)
        {
            Trainers = new BinaryClassificationTrainers(this);
        }

        public BinaryClassificationTrainers Trainers { get; }

        public CalibratedBinaryClassificationMetrics Evaluate(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score",
            string probabilityColumnName = "Probability", string predictedLabelColumnName = "PredictedLabel")
        {
            Contracts.CheckValue(data, nameof(data));
            Contracts.CheckNonEmpty(labelColumnName, nameof(labelColumnName));
            Contracts.CheckNonEmpty(scoreColumnName, nameof(scoreColumnName));
            Contracts.CheckNonEmpty(probabilityColumnName, nameof(probabilityColumnName));
            Contracts.CheckNonEmpty(predictedLabelColumnName, nameof(predictedLabelColumnName));
            return (CalibratedBinaryClassificationMetrics)BinaryEvaluator.Evaluate(data, labelColumnName, scoreColumnName, probabilityColumnName, predictedLabelColumnName);
        }

        public BinaryClassificationMetrics EvaluateNonCalibrated(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score",
            string predictedLabelColumnName = "PredictedLabel")
        {
            Contracts.CheckValue(data, nameof(data));
            return BinaryEvaluator.Evaluate(data, labelColumnName, scoreColumnName, null, predictedLabelColumnName);
        }

        public sealed class BinaryClassificationTrainers : CatalogInstantiatorBase
        {
            internal BinaryClassificationTrainers(BinaryClassificationCatalog catalog)
                : base(catalog)
            {
            }
        }
    }

    /// <summary>Regression: trainers and evaluation.</summary>
    public sealed class RegressionCatalog : TrainCatalogBase
    {
        internal RegressionCatalog(IHostEnvironment env)
            : base(env)
        {
            Trainers = new RegressionTrainers(this);
        }

        public RegressionTrainers Trainers { get; }

        public RegressionMetrics Evaluate(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score")
        {
            Contracts.CheckValue(data, nameof(data));
            return RegressionEvaluator.Evaluate(data, labelColumnName, scoreColumnName);
        }

        public sealed class RegressionTrainers : CatalogInstantiatorBase
        {
            internal RegressionTrainers(RegressionCatalog catalog)
                : base(catalog)
            {
            }
        }
    }
}
