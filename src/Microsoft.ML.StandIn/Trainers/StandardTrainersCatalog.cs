using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;

namespace Microsoft.ML
{
    /// <summary>The L-BFGS linear trainers on the task catalogs.</summary>
    public static class StandardTrainersCatalog
    {
        public static LbfgsLogisticRegressionBinaryTrainer LbfgsLogisticRegression(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
            string labelColumnName = "Label", string featureColumnName = "Features", string exampleWeightColumnName = null,
            float l1Regularization = 1f, float l2Regularization = 1f, float optimizationTolerance = 1e-7f, int historySize = 20,
            bool enforceNonNegativity = false)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            return new LbfgsLogisticRegressionBinaryTrainer(CatalogUtils.GetEnvironment(catalog), new LbfgsLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = labelColumnName,
                FeatureColumnName = featureColumnName,
                ExampleWeightColumnName = exampleWeightColumnName,
                L1Regularization = l1Regularization,
                L2Regularization = l2Regularization,
                OptimizationTolerance = optimizationTolerance,
                HistorySize = historySize,
                EnforceNonNegativity = enforceNonNegativity,
            });
        }

        public static LbfgsLogisticRegressionBinaryTrainer LbfgsLogisticRegression(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
            LbfgsLogisticRegressionBinaryTrainer.Options options)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            Contracts.CheckValue(options, nameof(options));
            return new LbfgsLogisticRegressionBinaryTrainer(CatalogUtils.GetEnvironment(catalog), options);
        }

        public static LbfgsMaximumEntropyMulticlassTrainer LbfgsMaximumEntropy(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
            string labelColumnName = "Label", string featureColumnName = "Features", string exampleWeightColumnName = null,
            float l1Regularization = 1f, float l2Regularization = 1f, float optimizationTolerance = 1e-7f, int historySize = 20,
            bool enforceNonNegativity = false)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            return new LbfgsMaximumEntropyMulticlassTrainer(CatalogUtils.GetEnvironment(catalog), new LbfgsMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = labelColumnName,
                FeatureColumnName = featureColumnName,
                ExampleWeightColumnName = exampleWeightColumnName,
                L1Regularization = l1Regularization,
                L2Regularization = l2Regularization,
                OptimizationTolerance = optimizationTolerance,
                HistorySize = historySize,
                EnforceNonNegativity = enforceNonNegativity,
            });
        }

        public static LbfgsMaximumEntropyMulticlassTrainer LbfgsMaximumEntropy(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
            LbfgsMaximumEntropyMulticlassTrainer.Options options)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            Contracts.CheckValue(options, nameof(options));
            return new LbfgsMaximumEntropyMulticlassTrainer(CatalogUtils.GetEnvironment(catalog), options);
        }
    }
}
