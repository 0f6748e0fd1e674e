using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Trainers
{
    /// <summary>Builds, saves and loads the prediction transformers of the linear trainers.</summary>
    internal static class LinearScorer
    {
        public const string MulticlassSignature = "MulticlassLinearScorer";
        public const string BinarySignature = "BinaryLinearScorer";

        public static MulticlassPredictionTransformer<MaximumEntropyModelParameters> Multiclass(IHost host, MaximumEntropyModelParameters model,
            DataViewSchema trainSchema, string featureColumn, DataViewSchema.DetachedColumn label)
        {
            return new MulticlassPredictionTransformer<MaximumEntropyModelParameters>(host, model, trainSchema, featureColumn,
                schema => MulticlassMapper(schema, model, featureColumn, label),
                ctx =>
                {
                    ctx.SetVersionInfo(MulticlassSignature, 1);
                    ctx.Writer.Write(featureColumn);
                    BinaryCodec.WriteSchema(ctx.Writer, trainSchema);
                    ctx.Writer.Write(label.Name);
                    BinaryCodec.WriteType(ctx.Writer, label.Type);
                    BinaryCodec.WriteAnnotations(ctx.Writer, label.Annotations);
                    ctx.Writer.Write(model.NumberOfClasses);
                    ctx.Writer.Write(model.NumberOfFeatures);
                    foreach (var w in model.Weights)
                        BinaryCodec.WriteFloats(ctx.Writer, w);
                    BinaryCodec.WriteFloats(ctx.Writer, model.Biases);
                });
        }

        public static ITransformer LoadMulticlass(IHostEnvironment env, ModelLoadContext ctx)
        {
            Func<string, Exception> corrupt = d => ctx.Corrupt(d);
            string feature = ctx.Reader.ReadString();
            var trainSchema = BinaryCodec.ReadSchema(ctx.Reader, corrupt);
            string labelName = ctx.Reader.ReadString();
            var labelType = BinaryCodec.ReadType(ctx.Reader, corrupt);
            var labelAnnotations = BinaryCodec.ReadAnnotations(ctx.Reader, corrupt);
            int k = ctx.Reader.ReadInt32();
            int d = ctx.Reader.ReadInt32();
            if (k < 2 || k > 1_000_000 || d < 0 || d > 100_000_000)
                throw ctx.Corrupt($"invalid model size ({k} classes, {d} features)");
            var weights = new float[k][];
            for (int c = 0; c < k; c++)
                weights[c] = BinaryCodec.ReadFloats(ctx.Reader, corrupt, d);
            var biases = BinaryCodec.ReadFloats(ctx.Reader, corrupt, k);
            if (trainSchema.GetColumnOrNull(feature) == null)
                throw ctx.Corrupt($"the feature column '{feature}' is not in the saved training schema");
            var host = env.Register("MulticlassScorer");
            return Multiclass(host, new MaximumEntropyModelParameters(weights, biases), trainSchema, feature,
                new DataViewSchema.DetachedColumn(labelName, labelType, labelAnnotations));
        }

        public static BinaryPredictionTransformer<CalibratedModelParametersBase<LinearBinaryModelParameters, PlattCalibrator>> Binary(IHost host,
            LinearBinaryModelParameters model, PlattCalibrator calibrator, DataViewSchema trainSchema, string featureColumn)
        {
            var mixed = new ParameterMixingCalibratedModelParameters<LinearBinaryModelParameters, PlattCalibrator>(model, calibrator);
            return new BinaryPredictionTransformer<CalibratedModelParametersBase<LinearBinaryModelParameters, PlattCalibrator>>(host, mixed, trainSchema, featureColumn,
                schema => BinaryMapper(schema, model, calibrator, featureColumn),
                ctx =>
                {
                    ctx.SetVersionInfo(BinarySignature, 1);
                    ctx.Writer.Write(featureColumn);
                    BinaryCodec.WriteSchema(ctx.Writer, trainSchema);
                    BinaryCodec.WriteFloats(ctx.Writer, model.WeightArray);
                    ctx.Writer.Write(model.Bias);
                    ctx.Writer.Write(calibrator.Slope);
                    ctx.Writer.Write(calibrator.Offset);
                });
        }

        public static ITransformer LoadBinary(IHostEnvironment env, ModelLoadContext ctx)
        {
            Func<string, Exception> corrupt = d => ctx.Corrupt(d);
            string feature = ctx.Reader.ReadString();
            var trainSchema = BinaryCodec.ReadSchema(ctx.Reader, corrupt);
            var weights = BinaryCodec.ReadFloats(ctx.Reader, corrupt);
            float bias = ctx.Reader.ReadSingle();
            double slope = ctx.Reader.ReadDouble();
            double offset = ctx.Reader.ReadDouble();
            if (trainSchema.GetColumnOrNull(feature) == null)
                throw ctx.Corrupt($"the feature column '{feature}' is not in the saved training schema");
            return Binary(env.Register("BinaryScorer"), new LinearBinaryModelParameters(weights, bias), new PlattCalibrator(slope, offset), trainSchema, feature);
        }

        private static DataViewSchema.Column FeatureColumn(DataViewSchema schema, string name, int expectedSize)
        {
            var column = Contracts.FindColumn(schema, nameof(schema), "feature", name);
            if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType item } v || item != NumberDataViewType.Single || v.Size != expectedSize)
                throw Contracts.ExceptSchemaMismatch(nameof(schema), "feature", name, $"Vector<Single, {expectedSize}>", column.Type.ToString());
            return column;
        }

        private static IRowMapper MulticlassMapper(DataViewSchema schema, MaximumEntropyModelParameters model, string featureName, DataViewSchema.DetachedColumn label)
        {
            var feature = FeatureColumn(schema, featureName, model.NumberOfFeatures);
            int k = model.NumberOfClasses;
            var scoreAnnotations = new DataViewSchema.Annotations.Builder();
            var predictedAnnotations = new DataViewSchema.Annotations.Builder();
            var labelKeyValues = label.Annotations.Schema.GetColumnOrNull(AnnotationKinds.KeyValues);
            if (labelKeyValues?.Type is VectorDataViewType { ItemType: TextDataViewType } kvType && kvType.Size == k)
            {
                var getter = label.Annotations.GetGetter<VBuffer<ReadOnlyMemory<char>>>(labelKeyValues.Value);
                scoreAnnotations.Add(AnnotationKinds.SlotNames, new VectorDataViewType(TextDataViewType.Instance, k), getter);
                scoreAnnotations.Add(AnnotationKinds.TrainingLabelValues, kvType, getter);
            }
            scoreAnnotations.AddPrimitiveValue(AnnotationKinds.ScoreColumnKind, TextDataViewType.Instance, AnnotationKinds.MulticlassClassification.AsMemory());
            scoreAnnotations.AddPrimitiveValue(AnnotationKinds.ScoreValueKind, TextDataViewType.Instance, AnnotationKinds.Score.AsMemory());
            predictedAnnotations.Add(label.Annotations, n => n == AnnotationKinds.KeyValues);
            predictedAnnotations.AddPrimitiveValue(AnnotationKinds.ScoreColumnKind, TextDataViewType.Instance, AnnotationKinds.MulticlassClassification.AsMemory());
            predictedAnnotations.AddPrimitiveValue(AnnotationKinds.ScoreValueKind, TextDataViewType.Instance, AnnotationKinds.PredictedLabel.AsMemory());
            var keyType = new KeyDataViewType(typeof(uint), k);
            var columns = new[]
            {
                new DataViewSchema.DetachedColumn(AnnotationKinds.Score, new VectorDataViewType(NumberDataViewType.Single, k), scoreAnnotations.ToAnnotations()),
                new DataViewSchema.DetachedColumn(AnnotationKinds.PredictedLabel, keyType, predictedAnnotations.ToAnnotations()),
            };
            return new ScoringMapper(columns, feature.Index, row =>
            {
                var features = row.GetGetter<VBuffer<float>>(feature);
                var buffer = default(VBuffer<float>);
                var dense = new float[model.NumberOfFeatures];
                var probabilities = new float[k];
                long cached = -1;
                void Compute()
                {
                    if (cached == row.Position && row.Position >= 0)
                        return;
                    features(ref buffer);
                    buffer.CopyTo(dense);
                    model.Score(dense, probabilities);
                    cached = row.Position;
                }
                ValueGetter<VBuffer<float>> score = (ref VBuffer<float> dst) =>
                {
                    Compute();
                    var editor = VBufferEditor.Create(ref dst, k);
                    probabilities.AsSpan().CopyTo(editor.Values);
                    dst = editor.Commit();
                };
                ValueGetter<uint> predicted = (ref uint dst) =>
                {
                    Compute();
                    int best = 0;
                    for (int c = 1; c < k; c++)
                    {
                        if (probabilities[c] > probabilities[best])
                            best = c;
                    }
                    dst = (uint)best + 1;
                };
                return new Delegate[] { score, predicted };
            });
        }

        private static IRowMapper BinaryMapper(DataViewSchema schema, LinearBinaryModelParameters model, PlattCalibrator calibrator, string featureName)
        {
            var feature = FeatureColumn(schema, featureName, model.WeightArray.Length);
            DataViewSchema.Annotations Kind(string valueKind)
            {
                var b = new DataViewSchema.Annotations.Builder();
                b.AddPrimitiveValue(AnnotationKinds.ScoreColumnKind, TextDataViewType.Instance, AnnotationKinds.BinaryClassification.AsMemory());
                b.AddPrimitiveValue(AnnotationKinds.ScoreValueKind, TextDataViewType.Instance, valueKind.AsMemory());
                return b.ToAnnotations();
            }
            var columns = new[]
            {
                new DataViewSchema.DetachedColumn(AnnotationKinds.Score, NumberDataViewType.Single, Kind(AnnotationKinds.Score)),
                new DataViewSchema.DetachedColumn(AnnotationKinds.Probability, NumberDataViewType.Single, Kind(AnnotationKinds.Probability)),
                new DataViewSchema.DetachedColumn(AnnotationKinds.PredictedLabel, BooleanDataViewType.Instance, Kind(AnnotationKinds.PredictedLabel)),
            };
            return new ScoringMapper(columns, feature.Index, row =>
            {
                var features = row.GetGetter<VBuffer<float>>(feature);
                var buffer = default(VBuffer<float>);
                var dense = new float[model.WeightArray.Length];
                long cached = -1;
                float score = 0;
                // Score, Probability and PredictedLabel share one dot product per row.
                float Score()
                {
                    if (cached == row.Position && row.Position >= 0)
                        return score;
                    features(ref buffer);
                    buffer.CopyTo(dense);
                    score = model.Score(dense);
                    cached = row.Position;
                    return score;
                }
                return new Delegate[]
                {
                    (ValueGetter<float>)((ref float dst) => dst = Score()),
                    (ValueGetter<float>)((ref float dst) => dst = calibrator.PredictProbability(Score())),
                    (ValueGetter<bool>)((ref bool dst) => dst = Score() > 0),
                };
            });
        }

        /// <summary>Output columns that all depend on the feature column and share one computation per row.</summary>
        private sealed class ScoringMapper : IRowMapper
        {
            private readonly DataViewSchema.DetachedColumn[] _columns;
            private readonly int _feature;
            private readonly Func<DataViewRow, Delegate[]> _make;

            public ScoringMapper(DataViewSchema.DetachedColumn[] columns, int feature, Func<DataViewRow, Delegate[]> make)
            {
                _columns = columns;
                _feature = feature;
                _make = make;
            }

            public DataViewSchema.DetachedColumn[] GetOutputColumns() => _columns;

            public Func<int, bool> GetDependencies(Func<int, bool> activeOutput)
            {
                bool any = Enumerable.Range(0, _columns.Length).Any(activeOutput);
                return i => any && i == _feature;
            }

            public Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput)
            {
                if (!Enumerable.Range(0, _columns.Length).Any(activeOutput))
                    return new Delegate[_columns.Length];
                var all = _make(input);
                return all.Select((g, i) => activeOutput(i) ? g : null).ToArray();
            }
        }
    }
}
