using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Trainers
{
    /// <summary>
    /// Multiclass logistic regression (maximum entropy) trained with L-BFGS (OWL-QN when L1 &gt; 0). Minimizes
    /// <c>sum_i w_i * -log softmax(W x_i + b)[y_i] + 0.5 * l2 * ||W||^2 + l1 * |W|_1</c> (biases are not regularized).
    /// </summary>
    public sealed class LbfgsMaximumEntropyMulticlassTrainer : ITrainerEstimator<MulticlassPredictionTransformer<MaximumEntropyModelParameters>, MaximumEntropyModelParameters>
    {
        private readonly IHost _host;
        private readonly LbfgsSettings _options;

        internal LbfgsMaximumEntropyMulticlassTrainer(IHostEnvironment env, Options options)
        {
            _host = Contracts.CheckValue(env, nameof(env)).Register(nameof(LbfgsMaximumEntropyMulticlassTrainer));
            Contracts.CheckValue(options, nameof(options));
            _options = new LbfgsSettings(options.LabelColumnName, options.FeatureColumnName, options.ExampleWeightColumnName, options.L2Regularization,
                options.L1Regularization, options.OptimizationTolerance, options.HistorySize, options.MaximumNumberOfIterations, options.EnforceNonNegativity).Checked();
        }

        public TrainerInfo Info { get; } = new TrainerInfo(normalization: true, caching: true);

        public MulticlassPredictionTransformer<MaximumEntropyModelParameters> Fit(IDataView input)
        {
            Contracts.CheckValue(input, nameof(input));
            GetOutputSchema(SchemaShape.Create(input.Schema));
            var labelColumn = input.Schema[_options.LabelColumnName];
            var data = LbfgsData.Read(input, _options.FeatureColumnName, _options.LabelColumnName, _options.ExampleWeightColumnName, multiclass: true, out int classes);
            if (classes < 2)
                throw new ArgumentOutOfRangeException(nameof(input), $"The label column '{_options.LabelColumnName}' must have at least two classes; found {classes}.");
            int d = data.Dimension;
            int stride = d + 1;
            int parameters = classes * stride;
            var x = new double[parameters];
            var mask = new bool[parameters];
            for (int c = 0; c < classes; c++)
            {
                for (int j = 0; j < d; j++)
                    mask[c * stride + j] = true;   // weights regularized; the bias slot (j = d) is not
            }
            double l2 = _options.L2Regularization;
            double Objective(double[] p, double[] grad)
            {
                Array.Clear(grad);
                double loss = 0;
                var logits = new double[classes];
                for (int i = 0; i < data.Count; i++)
                {
                    var f = data.Features[i];
                    double max = double.NegativeInfinity;
                    for (int c = 0; c < classes; c++)
                    {
                        int o = c * stride;
                        double s = p[o + d];
                        for (int j = 0; j < d; j++)
                            s += p[o + j] * f[j];
                        logits[c] = s;
                        if (s > max) max = s;
                    }
                    double sum = 0;
                    for (int c = 0; c < classes; c++)
                        sum += Math.Exp(logits[c] - max);
                    double logZ = max + Math.Log(sum);
                    int y = (int)data.Labels[i];
                    double w = data.Weights[i];
                    loss += w * (logZ - logits[y]);
                    for (int c = 0; c < classes; c++)
                    {
                        double r = w * (Math.Exp(logits[c] - logZ) - (c == y ? 1 : 0));
                        int o = c * stride;
                        for (int j = 0; j < d; j++)
                            grad[o + j] += r * f[j];
                        grad[o + d] += r;
                    }
                }
                for (int q = 0; q < parameters; q++)
                {
                    if (mask[q])
                    {
                        loss += 0.5 * l2 * p[q] * p[q];
                        grad[q] += l2 * p[q];
                    }
                }
                return loss;
            }
            using (var ch = _host.Start("Training"))
            {
                var optimizer = LbfgsData.Optimizer(_options, mask);
                double final = optimizer.Minimize(Objective, x);
                ch.Info(MessageSensitivity.None, $"L-BFGS stopped after {optimizer.Iterations} iterations; objective {final:G6} over {data.Count} rows.");
                LbfgsData.CheckFinite(final, x);
            }
            var weights = new float[classes][];
            var biases = new float[classes];
            for (int c = 0; c < classes; c++)
            {
                weights[c] = new float[d];
                for (int j = 0; j < d; j++)
                    weights[c][j] = (float)x[c * stride + j];
                biases[c] = (float)x[c * stride + d];
            }
            var model = new MaximumEntropyModelParameters(weights, biases);
            return LinearScorer.Multiclass(_host, model, input.Schema, _options.FeatureColumnName, new DataViewSchema.DetachedColumn(labelColumn));
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            Contracts.CheckValue(inputSchema, nameof(inputSchema));
            LbfgsData.CheckFeatures(inputSchema, _options.FeatureColumnName);
            var label = Contracts.FindColumn(inputSchema, nameof(inputSchema), "label", _options.LabelColumnName);
            if (!(label.IsKey && label.Kind == SchemaShape.Column.VectorKind.Scalar) && !(label.Kind == SchemaShape.Column.VectorKind.Scalar && label.ItemType == NumberDataViewType.Single))
                throw Contracts.ExceptSchemaMismatch(nameof(inputSchema), "label", _options.LabelColumnName, "Key or Single", label.GetTypeString());
            LbfgsData.CheckWeight(inputSchema, _options.ExampleWeightColumnName);
            var result = inputSchema.Where(c => c.Name != AnnotationKinds.Score && c.Name != AnnotationKinds.PredictedLabel).ToList();
            var keyValues = label.IsKey && label.Annotations.TryFindColumn(AnnotationKinds.KeyValues, out var kv) ? new[] { kv } : Array.Empty<SchemaShape.Column>();
            result.Add(new SchemaShape.Column(AnnotationKinds.Score, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false));
            result.Add(new SchemaShape.Column(AnnotationKinds.PredictedLabel, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true, new SchemaShape(keyValues)));
            return new SchemaShape(result);
        }

        /// <summary>Options for <see cref="LbfgsMaximumEntropyMulticlassTrainer"/> (defaults as in ML.NET).</summary>
        public sealed class Options
        {
            public string LabelColumnName = "Label";
            public string FeatureColumnName = "Features";
            public string ExampleWeightColumnName = null;
            public float L2Regularization = 1f;
            public float L1Regularization = 1f;
            public float OptimizationTolerance = 1e-7f;
            public int HistorySize = 20;
            public int MaximumNumberOfIterations = int.MaxValue;
            public bool EnforceNonNegativity = false;
        }
    }

    /// <summary>
    /// Binary logistic regression trained with L-BFGS (OWL-QN when L1 &gt; 0). Minimizes
    /// <c>sum_i w_i * log(1 + exp(-y_i (w·x_i + b))) + 0.5 * l2 * ||w||^2 + l1 * |w|_1</c> (bias not regularized);
    /// probabilities are the logistic of the score.
    /// </summary>
    public sealed class LbfgsLogisticRegressionBinaryTrainer
        : ITrainerEstimator<BinaryPredictionTransformer<CalibratedModelParametersBase<LinearBinaryModelParameters, PlattCalibrator>>, CalibratedModelParametersBase<LinearBinaryModelParameters, PlattCalibrator>>
    {
        private readonly IHost _host;
        private readonly LbfgsSettings _options;

        internal LbfgsLogisticRegressionBinaryTrainer(IHostEnvironment env, Options options)
        {
            _host = Contracts.CheckValue(env, nameof(env)).Register(nameof(LbfgsLogisticRegressionBinaryTrainer));
            Contracts.CheckValue(options, nameof(options));
            _options = new LbfgsSettings(options.LabelColumnName, options.FeatureColumnName, options.ExampleWeightColumnName, options.L2Regularization,
                options.L1Regularization, options.OptimizationTolerance, options.HistorySize, options.MaximumNumberOfIterations, options.EnforceNonNegativity).Checked();
        }

        public TrainerInfo Info { get; } = new TrainerInfo(normalization: true, caching: true);

        public BinaryPredictionTransformer<CalibratedModelParametersBase<LinearBinaryModelParameters, PlattCalibrator>> Fit(IDataView input)
        {
            Contracts.CheckValue(input, nameof(input));
            GetOutputSchema(SchemaShape.Create(input.Schema));
            var data = LbfgsData.Read(input, _options.FeatureColumnName, _options.LabelColumnName, _options.ExampleWeightColumnName, multiclass: false, out _);
            int d = data.Dimension;
            var x = new double[d + 1];
            var mask = new bool[d + 1];
            for (int j = 0; j < d; j++)
                mask[j] = true;
            double l2 = _options.L2Regularization;
            double Objective(double[] p, double[] grad)
            {
                Array.Clear(grad);
                double loss = 0;
                for (int i = 0; i < data.Count; i++)
                {
                    var f = data.Features[i];
                    double s = p[d];
                    for (int j = 0; j < d; j++)
                        s += p[j] * f[j];
                    double y = data.Labels[i] > 0 ? 1 : -1;
                    double m = y * s;
                    // log(1 + exp(-m)), stable for both signs.
                    double l = m > 0 ? Math.Log(1 + Math.Exp(-m)) : -m + Math.Log(1 + Math.Exp(m));
                    double w = data.Weights[i];
                    loss += w * l;
                    double r = -w * y / (1 + Math.Exp(m));
                    for (int j = 0; j < d; j++)
                        grad[j] += r * f[j];
                    grad[d] += r;
                }
                for (int j = 0; j < d; j++)
                {
                    loss += 0.5 * l2 * p[j] * p[j];
                    grad[j] += l2 * p[j];
                }
                return loss;
            }
            using (var ch = _host.Start("Training"))
            {
                var optimizer = LbfgsData.Optimizer(_options, mask);
                double final = optimizer.Minimize(Objective, x);
                ch.Info(MessageSensitivity.None, $"L-BFGS stopped after {optimizer.Iterations} iterations; objective {final:G6} over {data.Count} rows.");
                LbfgsData.CheckFinite(final, x);
            }
            var weights = x.Take(d).Select(v => (float)v).ToArray();
            var model = new LinearBinaryModelParameters(weights, (float)x[d]);
            return LinearScorer.Binary(_host, model, new PlattCalibrator(-1, 0), input.Schema, _options.FeatureColumnName);
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            Contracts.CheckValue(inputSchema, nameof(inputSchema));
            LbfgsData.CheckFeatures(inputSchema, _options.FeatureColumnName);
            var label = Contracts.FindColumn(inputSchema, nameof(inputSchema), "label", _options.LabelColumnName);
            bool ok = label.Kind == SchemaShape.Column.VectorKind.Scalar && !label.IsKey
                && (label.ItemType is BooleanDataViewType || label.ItemType == NumberDataViewType.Single || label.ItemType == NumberDataViewType.Double);
            if (!ok)
                throw Contracts.ExceptSchemaMismatch(nameof(inputSchema), "label", _options.LabelColumnName, "Boolean, Single or Double", label.GetTypeString());
            LbfgsData.CheckWeight(inputSchema, _options.ExampleWeightColumnName);
            var result = inputSchema.Where(c => c.Name != AnnotationKinds.Score && c.Name != AnnotationKinds.Probability && c.Name != AnnotationKinds.PredictedLabel).ToList();
            result.Add(new SchemaShape.Column(AnnotationKinds.Score, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false));
            result.Add(new SchemaShape.Column(AnnotationKinds.Probability, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false));
            result.Add(new SchemaShape.Column(AnnotationKinds.PredictedLabel, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false));
            return new SchemaShape(result);
        }

        /// <summary>Options for <see cref="LbfgsLogisticRegressionBinaryTrainer"/> (defaults as in ML.NET).</summary>
        public sealed class Options
        {
            public string LabelColumnName = "Label";
            public string FeatureColumnName = "Features";
            public string ExampleWeightColumnName = null;
            public float L2Regularization = 1f;
            public float L1Regularization = 1f;
            public float OptimizationTolerance = 1e-7f;
            public int HistorySize = 20;
            public int MaximumNumberOfIterations = int.MaxValue;
            public bool EnforceNonNegativity = false;
        }
    }
}
