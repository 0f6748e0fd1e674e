using System.Globalization;
using System.Text;

namespace Microsoft.ML.Data
{
    /// <summary>Counts of predicted versus actual classes, with per-class precision and recall.</summary>
    public sealed class ConfusionMatrix
    {
        private readonly double[][] _counts;

        internal ConfusionMatrix(double[][] counts, string[] classNames)
        {
            _counts = counts;
            ClassNames = classNames;
            int k = counts.Length;
            var precision = new double[k];
            var recall = new double[k];
            for (int c = 0; c < k; c++)
            {
                double predicted = 0, actual = 0;
                for (int o = 0; o < k; o++)
                {
                    predicted += counts[o][c];
                    actual += counts[c][o];
                }
                precision[c] = predicted > 0 ? counts[c][c] / predicted : 0;
                recall[c] = actual > 0 ? counts[c][c] / actual : 0;
            }
            PerClassPrecision = precision;
            PerClassRecall = recall;
        }

        internal string[] ClassNames { get; }
        public IReadOnlyList<double> PerClassPrecision { get; }
        public IReadOnlyList<double> PerClassRecall { get; }

        /// <summary>Counts[actual][predicted].</summary>
        public IReadOnlyList<IReadOnlyList<double>> Counts => _counts;

        public int NumberOfClasses => _counts.Length;

        public double GetCountForClassPair(int predictedClassIndicatorIndex, int actualClassIndicatorIndex)
        {
            if ((uint)predictedClassIndicatorIndex >= (uint)NumberOfClasses)
                throw new ArgumentOutOfRangeException(nameof(predictedClassIndicatorIndex));
            if ((uint)actualClassIndicatorIndex >= (uint)NumberOfClasses)
                throw new ArgumentOutOfRangeException(nameof(actualClassIndicatorIndex));
            return _counts[actualClassIndicatorIndex][predictedClassIndicatorIndex];
        }

        public string GetFormattedConfusionTable()
        {
            var sb = new StringBuilder();
            int width = Math.Max(8, ClassNames.Max(n => n.Length) + 1);
            sb.Append("PREDICTED".PadLeft(width)).Append(" ||");
            foreach (var n in ClassNames)
                sb.Append(n.PadLeft(width));
            sb.AppendLine(" | Recall");
            sb.AppendLine("TRUTH".PadRight(width) + " ||" + new string('=', width * ClassNames.Length) + "=|=======");
            for (int a = 0; a < NumberOfClasses; a++)
            {
                sb.Append(ClassNames[a].PadLeft(width)).Append(" ||");
                for (int p = 0; p < NumberOfClasses; p++)
                    sb.Append(_counts[a][p].ToString("0", CultureInfo.InvariantCulture).PadLeft(width));
                sb.Append(" | ").AppendLine(PerClassRecall[a].ToString("0.0000", CultureInfo.InvariantCulture));
            }
            sb.Append("Precision".PadLeft(width)).Append(" ||");
            foreach (var p in PerClassPrecision)
                sb.Append(p.ToString("0.0000", CultureInfo.InvariantCulture).PadLeft(width));
            sb.AppendLine(" |");
            return sb.ToString();
        }
    }

    /// <summary>Multiclass metrics (log-loss in nats).</summary>
    public sealed class MulticlassClassificationMetrics
    {
        internal MulticlassClassificationMetrics(double logLoss, double logLossReduction, double macro, double micro, int topK, double[] topKForAllK,
            double[] perClassLogLoss, ConfusionMatrix confusion)
        {
            LogLoss = logLoss;
            LogLossReduction = logLossReduction;
            MacroAccuracy = macro;
            MicroAccuracy = micro;
            TopKPredictionCount = topK;
            TopKAccuracyForAllK = topKForAllK;
            TopKAccuracy = topK > 0 ? topKForAllK[topK - 1] : 0;
            PerClassLogLoss = perClassLogLoss;
            ConfusionMatrix = confusion;
        }

        public double LogLoss { get; }
        public double LogLossReduction { get; }
        public double MacroAccuracy { get; }
        public double MicroAccuracy { get; }
        public double TopKAccuracy { get; }
        public int TopKPredictionCount { get; }
        public IReadOnlyList<double> TopKAccuracyForAllK { get; }
        public IReadOnlyList<double> PerClassLogLoss { get; }
        public ConfusionMatrix ConfusionMatrix { get; }
    }

    /// <summary>Binary metrics from scores and predicted labels.</summary>
    public class BinaryClassificationMetrics
    {
        internal BinaryClassificationMetrics(double auc, double accuracy, double positivePrecision, double positiveRecall, double negativePrecision,
            double negativeRecall, double f1, double auprc, ConfusionMatrix confusion)
        {
            AreaUnderRocCurve = auc;
            Accuracy = accuracy;
            PositivePrecision = positivePrecision;
            PositiveRecall = positiveRecall;
            NegativePrecision = negativePrecision;
            NegativeRecall = negativeRecall;
            F1Score = f1;
            AreaUnderPrecisionRecallCurve = auprc;
            ConfusionMatrix = confusion;
        }

        public double AreaUnderRocCurve { get; }
        public double Accuracy { get; }
        public double PositivePrecision { get; }
        public double PositiveRecall { get; }
        public double NegativePrecision { get; }
        public double NegativeRecall { get; }
        public double F1Score { get; }
        public double AreaUnderPrecisionRecallCurve { get; }
        public ConfusionMatrix ConfusionMatrix { get; }
    }

    /// <summary>Binary metrics plus probability-based ones (log-loss and entropy in bits).</summary>
    public sealed class CalibratedBinaryClassificationMetrics : BinaryClassificationMetrics
    {
        internal CalibratedBinaryClassificationMetrics(BinaryClassificationMetrics basic, double logLoss, double logLossReduction, double entropy)
            : base(basic.AreaUnderRocCurve, basic.Accuracy, basic.PositivePrecision, basic.PositiveRecall, basic.NegativePrecision, basic.NegativeRecall,
                basic.F1Score, basic.AreaUnderPrecisionRecallCurve, basic.ConfusionMatrix)
        {
            LogLoss = logLoss;
            LogLossReduction = logLossReduction;
            Entropy = entropy;
        }

        public double LogLoss { get; }
        public double LogLossReduction { get; }
        public double Entropy { get; }
    }

    /// <summary>Regression metrics.</summary>
    public sealed class RegressionMetrics
    {
        internal RegressionMetrics(double l1, double l2, double rms, double loss, double r2)
        {
            MeanAbsoluteError = l1;
            MeanSquaredError = l2;
            RootMeanSquaredError = rms;
            LossFunction = loss;
            RSquared = r2;
        }

        public double MeanAbsoluteError { get; }
        public double MeanSquaredError { get; }
        public double RootMeanSquaredError { get; }
        public double LossFunction { get; }
        public double RSquared { get; }
    }
}
