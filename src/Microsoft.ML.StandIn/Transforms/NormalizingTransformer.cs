using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Transforms
{
    /// <summary>Applies <c>(x - offset) * scale</c> per slot, with offsets and scales learned at fit time.</summary>
    public sealed class NormalizingTransformer : OneToOneTransformerBase
    {
        internal const string LoaderSignature = "NormalizeTransform";

        private readonly float[][] _scales;
        private readonly float[][] _offsets;

        internal NormalizingTransformer(IHostEnvironment env, (string, string)[] columns, float[][] scales, float[][] offsets)
            : base(Contracts.CheckValue(env, nameof(env)).Register(nameof(NormalizingTransformer)), columns)
        {
            _scales = scales;
            _offsets = offsets;
        }

        private protected override void SaveModel(ModelSaveContext ctx)
        {
            ctx.SetVersionInfo(LoaderSignature, 1);
            SaveColumns(ctx);
            for (int i = 0; i < _scales.Length; i++)
            {
                BinaryCodec.WriteFloats(ctx.Writer, _scales[i]);
                BinaryCodec.WriteFloats(ctx.Writer, _offsets[i]);
            }
        }

        internal static ITransformer Load(IHostEnvironment env, ModelLoadContext ctx)
        {
            var columns = LoadColumns(ctx);
            var scales = new float[columns.Length][];
            var offsets = new float[columns.Length][];
            for (int i = 0; i < columns.Length; i++)
            {
                scales[i] = BinaryCodec.ReadFloats(ctx.Reader, d => ctx.Corrupt(d));
                offsets[i] = BinaryCodec.ReadFloats(ctx.Reader, d => ctx.Corrupt(d), scales[i].Length);
            }
            return new NormalizingTransformer(env, columns, scales, offsets);
        }

        private protected override IRowMapper MakeRowMapper(DataViewSchema schema)
            => new ColumnFunctionMapper(ColumnPairs.Select((pair, i) =>
            {
                var input = Contracts.FindColumn(schema, nameof(schema), "input", pair.inputColumnName);
                int size = NormalizingEstimator.CheckType(nameof(schema), input.Name, input.Type);
                if (size != _scales[i].Length)
                    throw Contracts.ExceptSchemaMismatch(nameof(schema), "input", input.Name, $"a vector of size {_scales[i].Length}", input.Type.ToString());
                var builder = new DataViewSchema.Annotations.Builder();
                builder.Add(input.Annotations, n => n == AnnotationKinds.SlotNames);
                builder.AddPrimitiveValue(AnnotationKinds.IsNormalized, BooleanDataViewType.Instance, true);
                var scale = _scales[i];
                var offset = _offsets[i];
                return new ColumnFunctionMapper.OutputSpec(new DataViewSchema.DetachedColumn(pair.outputColumnName, input.Type, builder.ToAnnotations()),
                    new[] { input.Index }, row => MakeGetter(row, input, scale, offset));
            }));

        private static Delegate MakeGetter(DataViewRow row, DataViewSchema.Column input, float[] scale, float[] offset)
        {
            if (input.Type is VectorDataViewType)
            {
                var g = row.GetGetter<VBuffer<float>>(input);
                var buffer = default(VBuffer<float>);
                return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
                {
                    g(ref buffer);
                    var editor = VBufferEditor.Create(ref dst, buffer.Length);
                    buffer.CopyTo(editor.Values);
                    for (int j = 0; j < scale.Length; j++)
                        editor.Values[j] = (editor.Values[j] - offset[j]) * scale[j];
                    dst = editor.Commit();
                });
            }
            var s = row.GetGetter<float>(input);
            return (ValueGetter<float>)((ref float dst) =>
            {
                float v = 0;
                s(ref v);
                dst = (v - offset[0]) * scale[0];
            });
        }
    }

    /// <summary>Estimator for <see cref="NormalizingTransformer"/> (min-max or mean-variance).</summary>
    public sealed class NormalizingEstimator : IEstimator<NormalizingTransformer>
    {
        internal enum Mode
        {
            MinMax,
            MeanVariance,
        }

        private readonly IHost _host;
        private readonly (string Output, string Input)[] _columns;
        private readonly Mode _mode;
        private readonly long _maxExamples;
        private readonly bool _fixZero;

        internal NormalizingEstimator(IHostEnvironment env, Mode mode, (string, string)[] columns, long maximumExampleCount, bool fixZero)
        {
            _host = Contracts.CheckValue(env, nameof(env)).Register(nameof(NormalizingEstimator));
            Contracts.CheckParam(maximumExampleCount > 1, nameof(maximumExampleCount), "Must be greater than 1");
            _columns = columns;
            _mode = mode;
            _maxExamples = maximumExampleCount;
            _fixZero = fixZero;
        }

        internal static int CheckType(string param, string name, DataViewType type)
        {
            if (type == NumberDataViewType.Single)
                return 1;
            if (type is VectorDataViewType { ItemType: NumberDataViewType item, IsKnownSize: true } v && item == NumberDataViewType.Single)
                return v.Size;
            throw Contracts.ExceptSchemaMismatch(param, "input", name, "Single or known-size vector of Single", type.ToString());
        }

        public NormalizingTransformer Fit(IDataView input)
        {
            Contracts.CheckValue(input, nameof(input));
            GetOutputSchema(SchemaShape.Create(input.Schema));
            var columns = _columns.Select(c => Contracts.FindColumn(input.Schema, nameof(input), "input", c.Input)).ToArray();
            var sizes = columns.Select(c => CheckType(nameof(input), c.Name, c.Type)).ToArray();
            var stats = sizes.Select(n => new SlotStatistics(n)).ToArray();
            using (var cursor = input.GetRowCursor(columns))
            {
                var readers = columns.Select((c, i) => MakeReader(cursor, c, stats[i])).ToArray();
                long rows = 0;
                while (rows < _maxExamples && cursor.MoveNext())
                {
                    foreach (var read in readers)
                        read();
                    rows++;
                }
            }
            var scales = new float[columns.Length][];
            var offsets = new float[columns.Length][];
            for (int i = 0; i < columns.Length; i++)
                (scales[i], offsets[i]) = _mode == Mode.MinMax ? stats[i].MinMax(_fixZero) : stats[i].MeanVariance(_fixZero);
            return new NormalizingTransformer(_host, _columns.Select(c => (c.Output, c.Input)).ToArray(), scales, offsets);
        }

        private static Action MakeReader(DataViewRow row, DataViewSchema.Column column, SlotStatistics stats)
        {
            if (column.Type is VectorDataViewType)
            {
                var g = row.GetGetter<VBuffer<float>>(column);
                var buffer = default(VBuffer<float>);
                var dense = new float[stats.Size];
                return () =>
                {
                    g(ref buffer);
                    buffer.CopyTo(dense);
                    stats.Add(dense);
                };
            }
            var s = row.GetGetter<float>(column);
            var one = new float[1];
            return () =>
            {
                s(ref one[0]);
                stats.Add(one);
            };
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            Contracts.CheckValue(inputSchema, nameof(inputSchema));
            var result = inputSchema.ToDictionary(c => c.Name);
            foreach (var (output, input) in _columns)
            {
                var col = Contracts.FindColumn(inputSchema, nameof(inputSchema), "input", input);
                if (col.IsKey || col.ItemType != NumberDataViewType.Single || col.Kind == SchemaShape.Column.VectorKind.VariableVector)
                    throw Contracts.ExceptSchemaMismatch(nameof(inputSchema), "input", input, "Single or known-size vector of Single", col.GetTypeString());
                var annotations = new List<SchemaShape.Column>();
                if (col.Annotations.TryFindColumn(AnnotationKinds.SlotNames, out var slots))
                    annotations.Add(slots);
                annotations.Add(new SchemaShape.Column(AnnotationKinds.IsNormalized, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false));
                result[output] = new SchemaShape.Column(output, col.Kind, col.ItemType, false, new SchemaShape(annotations));
            }
            return new SchemaShape(result.Values);
        }

        /// <summary>Per-slot min, max, mean and variance (Welford), ignoring NaN.</summary>
        private sealed class SlotStatistics
        {
            private readonly double[] _min;
            private readonly double[] _max;
            private readonly double[] _mean;
            private readonly double[] _m2;
            private readonly long[] _count;

            public SlotStatistics(int size)
            {
                Size = size;
                _min = Enumerable.Repeat(double.PositiveInfinity, size).ToArray();
                _max = Enumerable.Repeat(double.NegativeInfinity, size).ToArray();
                _mean = new double[size];
                _m2 = new double[size];
                _count = new long[size];
            }

            public int Size { get; }

            public void Add(float[] values)
            {
                for (int j = 0; j < Size; j++)
                {
                    double x = values[j];
                    if (double.IsNaN(x))
                        continue;
                    if (x < _min[j]) _min[j] = x;
                    if (x > _max[j]) _max[j] = x;
                    long n = ++_count[j];
                    double delta = x - _mean[j];
                    _mean[j] += delta / n;
                    _m2[j] += delta * (x - _mean[j]);
                }
            }

            public (float[] Scale, float[] Offset) MinMax(bool fixZero)
            {
                var scale = new float[Size];
                var offset = new float[Size];
                for (int j = 0; j < Size; j++)
                {
                    double min = _min[j], max = _max[j];
                    if (fixZero)
                    {
                        double bound = Math.Max(Math.Abs(min), Math.Abs(max));
                        scale[j] = _count[j] == 0 || !(bound > 0) ? 0 : (float)(1 / bound);
                    }
                    else if (_count[j] > 0 && max > min)
                    {
                        scale[j] = (float)(1 / (max - min));
                        offset[j] = (float)min;
                    }
                }
                return (scale, offset);
            }

            public (float[] Scale, float[] Offset) MeanVariance(bool fixZero)
            {
                var scale = new float[Size];
                var offset = new float[Size];
                for (int j = 0; j < Size; j++)
                {
                    if (_count[j] == 0)
                        continue;
                    double variance = _m2[j] / _count[j];
                    double mean = _mean[j];
                    if (fixZero)
                    {
                        double meanSquare = variance + mean * mean;
                        scale[j] = meanSquare > 0 ? (float)(1 / Math.Sqrt(meanSquare)) : 0;
                    }
                    else
                    {
                        scale[j] = variance > 0 ? (float)(1 / Math.Sqrt(variance)) : 0;
                        offset[j] = (float)mean;
                    }
                }
                return (scale, offset);
            }
        }
    }
}
