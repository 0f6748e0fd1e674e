using Microsoft.ML.Runtime;

namespace Microsoft.ML.Data
{
    /// <summary>Multiclass evaluation with ML.NET's definitions (natural-log log-loss clamped at 1e-15).</summary>
    internal static class MulticlassEvaluator
    {
        private const double Epsilon = 1e-15;

        public static MulticlassClassificationMetrics Evaluate(IDataView data, string labelName, string scoreName, string predictedName, int topK)
        {
            var label = Contracts.FindColumn(data.Schema, "labelColumnName", "label", labelName);
            var score = Contracts.FindColumn(data.Schema, "scoreColumnName", "score", scoreName);
            Contracts.FindColumn(data.Schema, "predictedLabelColumnName", "predicted label", predictedName);
            if (label.Type is not KeyDataViewType && label.Type != NumberDataViewType.Single && label.Type != NumberDataViewType.Double)
                throw Contracts.ExceptSchemaMismatch("labelColumnName", "label", labelName, "Key or Single", label.Type.ToString());
            if (score.Type is not VectorDataViewType { IsKnownSize: true, ItemType: NumberDataViewType s } scoreType || s != NumberDataViewType.Single || scoreType.Size < 2)
                throw Contracts.ExceptSchemaMismatch("scoreColumnName", "score", scoreName, "known-size vector of Single with at least 2 slots", score.Type.ToString());
            int k = scoreType.Size;
            string[] names = Enumerable.Range(0, k).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            if (score.HasSlotNames())
            {
                VBuffer<ReadOnlyMemory<char>> slots = default;
                score.GetSlotNames(ref slots);
                names = slots.DenseValues().Select(m => m.ToString()).ToArray();
            }
            var counts = Enumerable.Range(0, k).Select(_ => new double[k]).ToArray();
            var classCount = new double[k];
            var classLogLoss = new double[k];
            var topKHits = new double[k];
            double total = 0, correct = 0, logLoss = 0;
            bool isKey = label.Type is KeyDataViewType;
            using (var cursor = data.GetRowCursor(new[] { label, score }))
            {
                var readLabel = NumericReader.Make(cursor, label);
                var readScore = cursor.GetGetter<VBuffer<float>>(score);
                var buffer = default(VBuffer<float>);
                var dense = new float[k];
                while (cursor.MoveNext())
                {
                    double y = readLabel();
                    if (double.IsNaN(y) || isKey && y == 0)
                        continue;
                    int actual = (int)(isKey ? y - 1 : y);
                    if (actual < 0 || actual >= k || !isKey && y != Math.Floor(y))
                        throw new ArgumentOutOfRangeException("labelColumnName", $"Label {y} in column '{labelName}' is outside the {k} classes of the score column '{scoreName}'.");
                    readScore(ref buffer);
                    buffer.CopyTo(dense);
                    int predicted = 0;
                    for (int c = 1; c < k; c++)
                    {
                        if (dense[c] > dense[predicted])
                            predicted = c;
                    }
                    int rank = 0;
                    for (int c = 0; c < k; c++)
                    {
                        if (dense[c] > dense[actual] || dense[c] == dense[actual] && c < actual)
                            rank++;
                    }
                    for (int r = rank; r < k; r++)
                        topKHits[r]++;
                    double p = Math.Max(Epsilon, dense[actual]);
                    double ll = -Math.Log(p);
                    logLoss += ll;
                    classLogLoss[actual] += ll;
                    classCount[actual]++;
                    counts[actual][predicted]++;
                    if (predicted == actual)
                        correct++;
                    total++;
                }
            }
            if (total == 0)
                throw new InvalidOperationException($"No rows with a valid label in column '{labelName}' to evaluate.");
            double prior = 0;
            for (int c = 0; c < k; c++)
            {
                if (classCount[c] > 0)
                {
                    double q = classCount[c] / total;
                    prior -= q * Math.Log(q);
                }
            }
            double meanLogLoss = logLoss / total;
            double reduction = prior > 0 ? (prior - meanLogLoss) / prior : 0;
            var present = Enumerable.Range(0, k).Where(c => classCount[c] > 0).ToArray();
            double macro = present.Average(c => counts[c][c] / classCount[c]);
            var perClass = Enumerable.Range(0, k).Select(c => classCount[c] > 0 ? classLogLoss[c] / classCount[c] : 0).ToArray();
            var topKAll = topK > 0 ? Enumerable.Range(0, Math.Min(topK, k)).Select(r => topKHits[r] / total).ToArray() : Array.Empty<double>();
            return new MulticlassClassificationMetrics(meanLogLoss, reduction, macro, correct / total, Math.Min(topK, k), topKAll, perClass,
                new ConfusionMatrix(counts, names));
        }
    }

    /// <summary>Binary evaluation with ML.NET's definitions (log-loss and entropy in bits; AUC with ties as one half; lower-trapezoid AUPRC).</summary>
    internal static class BinaryEvaluator
    {
        private const double Epsilon = 1e-15;

        public static BinaryClassificationMetrics Evaluate(IDataView data, string labelName, string scoreName, string probabilityName, string predictedName)
        {
            var label = Contracts.FindColumn(data.Schema, "labelColumnName", "label", labelName);
            var score = Contracts.FindColumn(data.Schema, "scoreColumnName", "score", scoreName);
            var predicted = Contracts.FindColumn(data.Schema, "predictedLabelColumnName", "predicted label", predictedName);
            DataViewSchema.Column? probability = probabilityName == null ? null : Contracts.FindColumn(data.Schema, "probabilityColumnName", "probability", probabilityName);
            bool labelOk = label.Type is BooleanDataViewType || label.Type == NumberDataViewType.Single || label.Type == NumberDataViewType.Double || label.Type is KeyDataViewType { Count: 2 };
            if (!labelOk)
                throw Contracts.ExceptSchemaMismatch("labelColumnName", "label", labelName, "Boolean, Single, Double or Key with 2 values", label.Type.ToString());
            if (score.Type != NumberDataViewType.Single)
                throw Contracts.ExceptSchemaMismatch("scoreColumnName", "score", scoreName, "Single", score.Type.ToString());
            if (predicted.Type is not BooleanDataViewType)
                throw Contracts.ExceptSchemaMismatch("predictedLabelColumnName", "predicted label", predictedName, "Boolean", predicted.Type.ToString());
            if (probability.HasValue && probability.Value.Type != NumberDataViewType.Single)
                throw Contracts.ExceptSchemaMismatch("probabilityColumnName", "probability", probabilityName, "Single", probability.Value.Type.ToString());
            var needed = new List<DataViewSchema.Column> { label, score, predicted };
            if (probability.HasValue)
                needed.Add(probability.Value);
            var rows = new List<(bool Positive, float Score)>();
            double tp = 0, fp = 0, tn = 0, fn = 0, logLoss = 0;
            using (var cursor = data.GetRowCursor(needed))
            {
                var readLabel = NumericReader.Make(cursor, label);
                var readScore = cursor.GetGetter<float>(score);
                var readPredicted = cursor.GetGetter<bool>(predicted);
                var readProbability = probability.HasValue ? cursor.GetGetter<float>(probability.Value) : null;
                bool isKey = label.Type is KeyDataViewType;
                while (cursor.MoveNext())
                {
                    double y = readLabel();
                    if (double.IsNaN(y) || isKey && y == 0)
                        continue;
                    bool positive = isKey ? y == 2 : y > 0;
                    float s = 0;
                    readScore(ref s);
                    if (float.IsNaN(s))
                        continue;
                    bool p = false;
                    readPredicted(ref p);
                    rows.Add((positive, s));
                    if (positive && p) tp++;
                    else if (positive) fn++;
                    else if (p) fp++;
                    else tn++;
                    if (readProbability != null)
                    {
                        float prob = 0;
                        readProbability(ref prob);
                        double q = positive ? prob : 1 - prob;
                        logLoss -= Math.Log(Math.Max(Epsilon, q), 2);
                    }
                }
            }
            double n = tp + fp + tn + fn;
            if (n == 0)
                throw new InvalidOperationException($"No rows with a valid label in column '{labelName}' to evaluate.");
            double posPrecision = tp + fp > 0 ? tp / (tp + fp) : 0;
            double posRecall = tp + fn > 0 ? tp / (tp + fn) : 0;
            double negPrecision = tn + fn > 0 ? tn / (tn + fn) : 0;
            double negRecall = tn + fp > 0 ? tn / (tn + fp) : 0;
            double f1 = posPrecision + posRecall > 0 ? 2 * posPrecision * posRecall / (posPrecision + posRecall) : 0;
            var confusion = new ConfusionMatrix(new[] { new[] { tp, fn }, new[] { fp, tn } }, new[] { "positive", "negative" });
            var basic = new BinaryClassificationMetrics(Auc(rows), (tp + tn) / n, posPrecision, posRecall, negPrecision, negRecall, f1, Auprc(rows), confusion);
            if (probabilityName == null)
                return basic;
            double prior = (tp + fn) / n;
            double entropy = prior <= 0 || prior >= 1 ? 0 : -(prior * Math.Log(prior, 2) + (1 - prior) * Math.Log(1 - prior, 2));
            double meanLogLoss = logLoss / n;
            double reduction = entropy > 0 ? (entropy - meanLogLoss) / entropy : 0;
            return new CalibratedBinaryClassificationMetrics(basic, meanLogLoss, reduction, entropy);
        }

        /// <summary>Probability that a random positive scores above a random negative; ties count one half.</summary>
        internal static double Auc(List<(bool Positive, float Score)> rows)
        {
            var sorted = rows.OrderBy(r => r.Score).ToList();
            double pos = rows.Count(r => r.Positive), neg = rows.Count - pos;
            if (pos == 0 || neg == 0)
                return 0;
            double sum = 0, negBelow = 0;
            for (int i = 0; i < sorted.Count;)
            {
                int j = i;
                double tiePos = 0, tieNeg = 0;
                while (j < sorted.Count && sorted[j].Score == sorted[i].Score)
                {
                    if (sorted[j].Positive) tiePos++; else tieNeg++;
                    j++;
                }
                sum += tiePos * (negBelow + tieNeg / 2);
                negBelow += tieNeg;
                i = j;
            }
            return sum / (pos * neg);
        }

        /// <summary>Area under the precision-recall curve with the lower-trapezoid estimator.</summary>
        internal static double Auprc(List<(bool Positive, float Score)> rows)
        {
            int posCount = rows.Count(r => r.Positive);
            if (posCount == 0)
                return 0;
            double prevRecall = 0, prevPrecisionMin = 1, area = 0;
            int truePos = 0, falsePos = 0;
            foreach (var r in rows.OrderByDescending(r => r.Score))
            {
                if (r.Positive)
                {
                    truePos++;
                    double recall = (double)truePos / posCount;
                    double precision = (double)truePos / (truePos + falsePos);
                    area += (recall - prevRecall) * (prevPrecisionMin + precision) / 2;
                    prevPrecisionMin = precision;
                    prevRecall = recall;
                }
                else
                {
                    falsePos++;
                    prevPrecisionMin = (double)truePos / (truePos + falsePos);
                }
            }
            return area;
        }
    }

    /// <summary>Regression evaluation (squared loss).</summary>
    internal static class RegressionEvaluator
    {
        public static RegressionMetrics Evaluate(IDataView data, string labelName, string scoreName)
        {
            var label = Contracts.FindColumn(data.Schema, "labelColumnName", "label", labelName);
            var score = Contracts.FindColumn(data.Schema, "scoreColumnName", "score", scoreName);
            if (label.Type != NumberDataViewType.Single && label.Type != NumberDataViewType.Double)
                throw Contracts.ExceptSchemaMismatch("labelColumnName", "label", labelName, "Single", label.Type.ToString());
            if (score.Type != NumberDataViewType.Single)
                throw Contracts.ExceptSchemaMismatch("scoreColumnName", "score", scoreName, "Single", score.Type.ToString());
            var pairs = new List<(double Y, double S)>();
            using (var cursor = data.GetRowCursor(new[] { label, score }))
            {
                var readLabel = NumericReader.Make(cursor, label);
                var readScore = NumericReader.Make(cursor, score);
                while (cursor.MoveNext())
                {
                    double y = readLabel(), s = readScore();
                    if (!double.IsNaN(y) && !double.IsNaN(s))
                        pairs.Add((y, s));
                }
            }
            if (pairs.Count == 0)
                throw new InvalidOperationException($"No rows with a valid label in column '{labelName}' to evaluate.");
            double mean = pairs.Average(p => p.Y);
            double l1 = pairs.Average(p => Math.Abs(p.Y - p.S));
            double l2 = pairs.Average(p => (p.Y - p.S) * (p.Y - p.S));
            double tot = pairs.Average(p => (p.Y - mean) * (p.Y - mean));
            return new RegressionMetrics(l1, l2, Math.Sqrt(l2), l2, tot > 0 ? 1 - l2 / tot : 0);
        }
    }
}
