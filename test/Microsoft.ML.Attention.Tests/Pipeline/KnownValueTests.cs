using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Pipeline;

/// <summary>Trainers reach the optimum an independent method finds; metrics equal values computed by hand.</summary>
[TestClass]
public sealed class KnownValueTests
{
    private sealed class Point
    {
        public bool Label { get; set; }
        [VectorType(3)] public float[] Features { get; set; } = [];
    }

    private static List<Point> Points(int n, int seed)
    {
        var random = new Random(seed);
        var rows = new List<Point>();
        for (int i = 0; i < n; i++)
        {
            var x = new[] { (float)random.NextDouble() * 2 - 1, (float)random.NextDouble() * 2 - 1, (float)random.NextDouble() * 2 - 1 };
            double logit = 1.5 * x[0] - 2 * x[1] + 0.5 * x[2] + 0.3;
            rows.Add(new Point { Features = x, Label = random.NextDouble() < 1 / (1 + Math.Exp(-logit)) });
        }
        return rows;
    }

    [TestMethod]
    public void LogisticRegression_MatchesNewtonsMethodOptimum()
    {
        const double l2 = 0.5;
        var rows = Points(200, 4);
        var mlContext = new MLContext(seed: 0);
        var model = mlContext.BinaryClassification.Trainers.LbfgsLogisticRegression(l1Regularization: 0, l2Regularization: (float)l2)
            .Fit(mlContext.Data.LoadFromEnumerable(rows));

        // Independent reference: Newton's method on sum log(1+exp(-y(w.x+b))) + l2/2 |w|^2 (bias unregularized).
        int d = 3;
        var w = new double[d + 1];
        for (int iter = 0; iter < 50; iter++)
        {
            var g = new double[d + 1];
            var h = new double[d + 1, d + 1];
            foreach (var r in rows)
            {
                var x = r.Features.Select(v => (double)v).Append(1.0).ToArray();
                double s = Enumerable.Range(0, d + 1).Sum(j => w[j] * x[j]);
                double p = 1 / (1 + Math.Exp(-s));
                double y = r.Label ? 1 : 0;
                for (int a = 0; a <= d; a++)
                {
                    g[a] += (p - y) * x[a];
                    for (int b = 0; b <= d; b++)
                        h[a, b] += p * (1 - p) * x[a] * x[b];
                }
            }
            for (int a = 0; a < d; a++)
            {
                g[a] += l2 * w[a];
                h[a, a] += l2;
            }
            var step = Solve(h, g);
            for (int a = 0; a <= d; a++)
                w[a] -= step[a];
        }

        var learned = model.Model.SubModel;
        for (int j = 0; j < d; j++)
            Assert.AreEqual(w[j], learned.Weights[j], 1e-3, $"weight {j}");
        Assert.AreEqual(w[d], learned.Bias, 1e-3, "bias");
        Assert.AreEqual(-1.0, model.Model.Calibrator.Slope);
    }

    [TestMethod]
    public void MaximumEntropy_SatisfiesOptimalityConditions()
    {
        const double l2 = 0.1;
        var rows = Flowers.Generate(150, seed: 9);
        var mlContext = new MLContext(seed: 0);
        var data = mlContext.Data.LoadFromEnumerable(rows);
        var featurize = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Transforms.Concatenate("Features", "SepalLength", "SepalWidth", "PetalLength", "PetalWidth"));
        var featurized = featurize.Fit(data).Transform(data);
        var trainer = mlContext.MulticlassClassification.Trainers.LbfgsMaximumEntropy(l1Regularization: 0, l2Regularization: (float)l2, optimizationTolerance: 1e-10f);
        var model = trainer.Fit(featurized);
        VBuffer<float>[] weights = [];
        model.Model.GetWeights(ref weights, out int k);
        Assert.AreEqual(3, k);

        var scored = model.Transform(featurized);
        var features = scored.GetColumn<float[]>("Features").ToList();
        var labels = scored.GetColumn<uint>("Label").ToList();
        var scores = scored.GetColumn<float[]>("Score").ToList();
        // Gradient of the objective at the learned parameters: sum_i (p_ic - y_ic) x_i + l2 W_c and sum_i (p_ic - y_ic).
        for (int c = 0; c < k; c++)
        {
            var w = weights[c].DenseValues().ToArray();
            var grad = new double[w.Length];
            double biasGrad = 0;
            for (int i = 0; i < features.Count; i++)
            {
                double r = scores[i][c] - (labels[i] - 1 == c ? 1 : 0);
                for (int j = 0; j < w.Length; j++)
                    grad[j] += r * features[i][j];
                biasGrad += r;
            }
            for (int j = 0; j < w.Length; j++)
                Assert.AreEqual(0, grad[j] + l2 * w[j], 2e-3, $"class {c} weight {j}");
            Assert.AreEqual(0, biasGrad, 2e-3, $"class {c} bias");
        }
    }

    private sealed class BinaryScored
    {
        public bool Label { get; set; }
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    [TestMethod]
    public void BinaryMetrics_EqualHandComputedValues()
    {
        var mlContext = new MLContext();
        var data = mlContext.Data.LoadFromEnumerable(new[]
        {
            new BinaryScored { Label = true, Score = 2f, Probability = 0.9f, PredictedLabel = true },
            new BinaryScored { Label = false, Score = 1f, Probability = 0.6f, PredictedLabel = true },
            new BinaryScored { Label = true, Score = 0.5f, Probability = 0.7f, PredictedLabel = true },
            new BinaryScored { Label = false, Score = -1f, Probability = 0.2f, PredictedLabel = false },
        });
        var m = mlContext.BinaryClassification.Evaluate(data);
        Assert.AreEqual(0.75, m.AreaUnderRocCurve, 1e-9);                   // 3 of 4 positive/negative pairs ordered
        Assert.AreEqual(0.5 + 0.5 * (0.5 + 2.0 / 3) / 2, m.AreaUnderPrecisionRecallCurve, 1e-9);   // lower trapezoid
        Assert.AreEqual(0.75, m.Accuracy, 1e-9);
        Assert.AreEqual(2.0 / 3, m.PositivePrecision, 1e-9);
        Assert.AreEqual(1.0, m.PositiveRecall, 1e-9);
        Assert.AreEqual(1.0, m.NegativePrecision, 1e-9);
        Assert.AreEqual(0.5, m.NegativeRecall, 1e-9);
        Assert.AreEqual(0.8, m.F1Score, 1e-9);
        double logLoss = -(Math.Log2(0.9) + Math.Log2(0.4) + Math.Log2(0.7) + Math.Log2(0.8)) / 4;
        Assert.AreEqual(logLoss, m.LogLoss, 1e-6);
        Assert.AreEqual(1.0, m.Entropy, 1e-9);
        Assert.AreEqual(1 - logLoss, m.LogLossReduction, 1e-6);
    }

    private sealed class MulticlassScored
    {
        [KeyType(3)] public uint Label { get; set; }
        [VectorType(3)] public float[] Score { get; set; } = [];
        [KeyType(3)] public uint PredictedLabel { get; set; }
    }

    [TestMethod]
    public void MulticlassMetrics_EqualHandComputedValues()
    {
        var mlContext = new MLContext();
        var data = mlContext.Data.LoadFromEnumerable(new[]
        {
            new MulticlassScored { Label = 1, Score = [0.7f, 0.2f, 0.1f], PredictedLabel = 1 },
            new MulticlassScored { Label = 2, Score = [0.1f, 0.6f, 0.3f], PredictedLabel = 2 },
            new MulticlassScored { Label = 3, Score = [0.2f, 0.5f, 0.3f], PredictedLabel = 2 },
            new MulticlassScored { Label = 2, Score = [0.5f, 0.4f, 0.1f], PredictedLabel = 1 },
        });
        var m = mlContext.MulticlassClassification.Evaluate(data, topKPredictionCount: 2);
        Assert.AreEqual(0.5, m.MicroAccuracy, 1e-9);
        Assert.AreEqual((1 + 0.5 + 0) / 3, m.MacroAccuracy, 1e-9);
        double logLoss = -(Math.Log(0.7) + Math.Log(0.6) + Math.Log(0.3) + Math.Log(0.4)) / 4;
        Assert.AreEqual(logLoss, m.LogLoss, 1e-6);
        double prior = -(0.25 * Math.Log(0.25) * 2 + 0.5 * Math.Log(0.5));
        Assert.AreEqual((prior - logLoss) / prior, m.LogLossReduction, 1e-6);
        Assert.AreEqual(1.0, m.TopKAccuracy, 1e-9);
        CollectionAssert.AreEqual(new[] { 0.5, 1.0 }, m.TopKAccuracyForAllK.ToArray());
        Assert.AreEqual(-Math.Log(0.3), m.PerClassLogLoss[2], 1e-6);
        Assert.AreEqual(1, m.ConfusionMatrix.GetCountForClassPair(predictedClassIndicatorIndex: 0, actualClassIndicatorIndex: 1));
        Assert.AreEqual(1, m.ConfusionMatrix.GetCountForClassPair(predictedClassIndicatorIndex: 1, actualClassIndicatorIndex: 2));
        Assert.AreEqual(0.5, m.ConfusionMatrix.PerClassRecall[1], 1e-9);
        Assert.AreEqual(0.5, m.ConfusionMatrix.PerClassPrecision[0], 1e-9);
    }

    private static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (int c = 0; c < n; c++)
        {
            int p = c;
            for (int r = c + 1; r < n; r++)
            {
                if (Math.Abs(m[r, c]) > Math.Abs(m[p, c]))
                    p = r;
            }
            for (int k = 0; k < n; k++)
                (m[c, k], m[p, k]) = (m[p, k], m[c, k]);
            (x[c], x[p]) = (x[p], x[c]);
            for (int r = 0; r < n; r++)
            {
                if (r == c)
                    continue;
                double f = m[r, c] / m[c, c];
                for (int k = 0; k < n; k++)
                    m[r, k] -= f * m[c, k];
                x[r] -= f * x[c];
            }
        }
        for (int i = 0; i < n; i++)
            x[i] /= m[i, i];
        return x;
    }
}
