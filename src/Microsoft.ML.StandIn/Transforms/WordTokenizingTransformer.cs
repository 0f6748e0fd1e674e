using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Transforms.Text
{
    /// <summary>Splits text into words on separator characters (default: space); empty words are dropped.</summary>
    public sealed class WordTokenizingTransformer : OneToOneTransformerBase
    {
        internal const string LoaderSignature = "TokenizeTextTransform";

        private readonly char[] _separators;

        internal WordTokenizingTransformer(IHostEnvironment env, char[] separators, params (string outputColumnName, string inputColumnName)[] columns)
            : base(Contracts.CheckValue(env, nameof(env)).Register(nameof(WordTokenizingTransformer)), columns)
        {
            _separators = separators == null || separators.Length == 0 ? new[] { ' ' } : separators.ToArray();
        }

        private protected override void SaveModel(ModelSaveContext ctx)
        {
            ctx.SetVersionInfo(LoaderSignature, 1);
            SaveColumns(ctx);
            ctx.Writer.Write(new string(_separators));
        }

        internal static ITransformer Load(IHostEnvironment env, ModelLoadContext ctx)
        {
            var columns = LoadColumns(ctx);
            var separators = ctx.Reader.ReadString().ToCharArray();
            return new WordTokenizingTransformer(env, separators, columns);
        }

        private protected override IRowMapper MakeRowMapper(DataViewSchema schema)
            => new ColumnFunctionMapper(ColumnPairs.Select(pair =>
            {
                var input = Contracts.FindColumn(schema, nameof(schema), "input", pair.inputColumnName);
                bool isVector = input.Type is VectorDataViewType { ItemType: TextDataViewType };
                if (input.Type is not TextDataViewType && !isVector)
                    throw Contracts.ExceptSchemaMismatch(nameof(schema), "input", input.Name, "String or Vector<String>", input.Type.ToString());
                var separators = _separators;
                return new ColumnFunctionMapper.OutputSpec(
                    new DataViewSchema.DetachedColumn(pair.outputColumnName, new VectorDataViewType(TextDataViewType.Instance)),
                    new[] { input.Index },
                    row => MakeGetter(row, input, isVector, separators));
            }));

        private static Delegate MakeGetter(DataViewRow row, DataViewSchema.Column input, bool isVector, char[] separators)
        {
            var tokens = new List<ReadOnlyMemory<char>>();
            void Split(ReadOnlyMemory<char> text)
            {
                var span = text.Span;
                int start = 0;
                for (int i = 0; i <= span.Length; i++)
                {
                    if (i == span.Length || Array.IndexOf(separators, span[i]) >= 0)
                    {
                        if (i > start)
                            tokens.Add(text.Slice(start, i - start));
                        start = i + 1;
                    }
                }
            }
            ValueGetter<VBuffer<ReadOnlyMemory<char>>> Emit(Action fill) => (ref VBuffer<ReadOnlyMemory<char>> dst) =>
            {
                tokens.Clear();
                fill();
                var editor = VBufferEditor.Create(ref dst, tokens.Count);
                for (int i = 0; i < tokens.Count; i++)
                    editor.Values[i] = tokens[i];
                dst = editor.Commit();
            };
            if (isVector)
            {
                var g = row.GetGetter<VBuffer<ReadOnlyMemory<char>>>(input);
                var buffer = default(VBuffer<ReadOnlyMemory<char>>);
                return Emit(() =>
                {
                    g(ref buffer);
                    foreach (var t in buffer.DenseValues())
                        Split(t);
                });
            }
            var s = row.GetGetter<ReadOnlyMemory<char>>(input);
            return Emit(() =>
            {
                ReadOnlyMemory<char> text = default;
                s(ref text);
                Split(text);
            });
        }
    }

    /// <summary>Estimator for <see cref="WordTokenizingTransformer"/>.</summary>
    public sealed class WordTokenizingEstimator : TrivialEstimator<WordTokenizingTransformer>
    {
        private readonly (string outputColumnName, string inputColumnName)[] _columns;

        internal WordTokenizingEstimator(IHostEnvironment env, char[] separators, params (string outputColumnName, string inputColumnName)[] columns)
            : base(Contracts.CheckValue(env, nameof(env)).Register(nameof(WordTokenizingEstimator)), new WordTokenizingTransformer(env, separators, columns))
        {
            _columns = columns;
        }

        public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            Contracts.CheckValue(inputSchema, nameof(inputSchema));
            var result = inputSchema.ToDictionary(c => c.Name);
            foreach (var (output, input) in _columns)
            {
                var col = Contracts.FindColumn(inputSchema, nameof(inputSchema), "input", input);
                if (col.ItemType is not TextDataViewType || col.IsKey)
                    throw Contracts.ExceptSchemaMismatch(nameof(inputSchema), "input", input, "String or Vector<String>", col.GetTypeString());
                result[output] = new SchemaShape.Column(output, SchemaShape.Column.VectorKind.VariableVector, TextDataViewType.Instance, false);
            }
            return new SchemaShape(result.Values);
        }
    }
}
