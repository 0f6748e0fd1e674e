using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// The fitted co-attention text-pair classifier: <c>Score</c> (logit), <c>Probability</c>, <c>PredictedLabel</c> and,
/// on request, both co-attention matrices and the words of each text.
/// </summary>
/// <remarks>Save it with <c>mlContext.Model.SaveWithAttention</c>; ML.NET's own <c>Model.Save</c> is refused with a message that says so.</remarks>
public sealed class CoAttentionTransformer : ITransformer
{
    internal CoAttentionTransformer(CoAttentionPairModel model, Vocabulary vocabulary, CoAttentionOptions? options = null)
    {
        Model = model;
        Options = options ?? model.Options;
        Vocabulary = vocabulary;
        model.Eval();
    }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <summary>Pairs <c>Transform</c> scores together (<see cref="CoAttentionOptions.ScoringBatchSize"/>).</summary>
    public int ScoringBatchSize => Options.ScoringBatchSize;

    /// <summary>The same model scoring <paramref name="pairs"/> pairs per block (1 = one by one); the weights are shared.</summary>
    /// <param name="pairs">Pairs per block; positive.</param>
    /// <returns>A transformer that differs from this one only in its scoring batch size.</returns>
    public CoAttentionTransformer WithScoringBatchSize(int pairs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pairs);
        CoAttentionOptions options = Options.Clone();
        options.ScoringBatchSize = pairs;
        return new CoAttentionTransformer(Model, Vocabulary, options);
    }

    internal CoAttentionOptions Options { get; }

    internal CoAttentionPairModel Model { get; }

    internal Vocabulary Vocabulary { get; }

    /// <summary>Scores one pair of texts (both matrices included).</summary>
    /// <exception cref="InvalidOperationException">A text has no word.</exception>
    public CoAttentionScores Score(string first, string second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return Score(first.AsMemory(), second.AsMemory(), row: 0);
    }

    /// <summary>
    /// The co-attention matrix of a pair as a PNG (<see cref="CoAttentionScores.FirstToSecond"/>: one row per word of the
    /// first text, one column per word of the second, each row shaded relative to its largest weight).
    /// </summary>
    public static byte[] RenderFirstToSecond(CoAttentionScores scores, int cellSize = 16)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cellSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cellSize, 256);
        return AttentionHeatmap.RenderMatrix(scores.FirstToSecond, scores.FirstWords.Length, scores.SecondWords.Length, cellSize);
    }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new CoAttentionMapper(this, inputSchema).OutputSchema;
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new CoAttentionMapper(this, inputSchema);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new BatchedDataView<CoAttentionScores>(input, new CoAttentionMapper(this, input.Schema));
    }

    /// <summary>The ONNX input of <see cref="ExportToOnnx"/> for the first texts: int64 word ids <c>[batch, words]</c>.</summary>
    public const string OnnxFirstIdsInputName = "FirstIds";

    /// <summary>The ONNX input for the second texts.</summary>
    public const string OnnxSecondIdsInputName = "SecondIds";

    /// <summary>The ONNX output of the first-to-second weights when the transformer has no such column.</summary>
    public const string OnnxFirstToSecondOutputName = "FirstToSecond";

    /// <summary>The ONNX output of the second-to-first weights when the transformer has no such column.</summary>
    public const string OnnxSecondToFirstOutputName = "SecondToFirst";

    /// <summary>
    /// Writes the fitted network to <paramref name="destination"/> as an ONNX model (opset 17, standard operators: the
    /// encoder as ONNX <c>GRU</c>) that ONNX Runtime scores without the pack, pairs in batches. Inputs
    /// <see cref="OnnxFirstIdsInputName"/> and <see cref="OnnxSecondIdsInputName"/>: int64 <c>[batch, words]</c>, each
    /// text's ids as <see cref="WordIds"/> gives them, padded with 0. Outputs: <c>Score</c> (the logit) and
    /// <c>Probability</c> <c>[batch]</c>, and both alignment matrices, named like this transformer's columns (or the
    /// defaults above): the values this transformer computes (the matrices' rows and columns past a text's words are
    /// padding).
    /// </summary>
    /// <remarks>For ONNX Runtime: an <c>ApplyOnnxModel</c> chain cannot rebuild the scalar Score or Boolean PredictedLabel (ML.NET's ONNX transformer gives vectors only).</remarks>
    /// <param name="destination">A writable stream; it is left open.</param>
    public void ExportToOnnx(Stream destination)
    {
        OnnxDestination.Check(destination, "ExportToOnnx");
        destination.Write(Onnx.CoAttentionOnnx.Export(Model, OnnxFirstIdsInputName, OnnxSecondIdsInputName, CoAttentionEstimator.ScoreColumnName, CoAttentionEstimator.ProbabilityColumnName,
            Options.FirstToSecondAttentionColumnName ?? OnnxFirstToSecondOutputName, Options.SecondToFirstAttentionColumnName ?? OnnxSecondToFirstOutputName));
    }

    /// <summary>A text as the word ids the network reads (cut to MaximumLength): one row of <see cref="ExportToOnnx"/>'s inputs before padding.</summary>
    /// <param name="text">The text, as the first or second column holds it.</param>
    /// <exception cref="InvalidOperationException">The text has no word.</exception>
    public int[] WordIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Vocabulary.Encode(Words(Options, text.AsMemory(), Options.FirstColumnName, 0));
    }

    /// <summary>The <c>architecture</c> metadata of <see cref="SaveWeights"/> files.</summary>
    public const string WeightsArchitecture = "microsoft-ml-attention/co-attention/1";

    /// <summary>The words known to the model by id (0 = padding, 1 = unknown).</summary>
    public IReadOnlyList<string> VocabularyWords => Vocabulary.Words;

    /// <summary>
    /// Writes the network's weights to a safetensors file under PyTorch's <c>state_dict</c> names (<c>embedding.weight</c>,
    /// <c>encoder.*</c> as a bidirectional <c>nn.GRU</c> names them, <c>co_attention.W.weight</c> for a bilinear affinity,
    /// <c>compose.*</c>, <c>pooling.proj.*</c>, <c>pooling.context</c>, <c>hidden.*</c>, <c>head.*</c>), so that the PyTorch
    /// module of <c>build/pytorch/co_attention.py</c> takes them with <c>load_state_dict(strict=True)</c>. The metadata holds
    /// the architecture; the vocabulary is not in the file. The write is atomic.
    /// </summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    public void SaveWeights(string path) =>
        ModelPartFiles.SaveWeightsFile(Model, path, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["architecture"] = WeightsArchitecture,
            ["bilinear"] = Options.BilinearAffinity ? "true" : "false",
            ["embedding_dimension"] = Options.EmbeddingDimension.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["hidden_size"] = Options.HiddenSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["attention_dimension"] = Options.AttentionDimension.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    /// <summary>
    /// A transformer scoring with weights from a safetensors file — one written by <see cref="SaveWeights"/>, or by PyTorch
    /// for the module of <c>build/pytorch/co_attention.py</c> — for the architecture <paramref name="options"/> describe
    /// (affinity, sizes; the columns and length limit apply as in a <c>Fit</c>) and the words
    /// <paramref name="vocabularyWords"/> (id order, "&lt;pad&gt;" and "&lt;unk&gt;" first).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not safetensors, misses a tensor, has one of another shape or non-finite values; the message names the file and the tensor.</exception>
    public static CoAttentionTransformer FromWeights(CoAttentionOptions options, IReadOnlyList<string> vocabularyWords, string path)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(vocabularyWords);
        options = options.Clone();
        options.Validate();
        Dictionary<string, Tensor> state = ModelPartFiles.LoadWeightsFile(path);
        var vocabulary = new Vocabulary(vocabularyWords);
        if (vocabulary.Count <= 2)
        {
            throw new ArgumentException("FromWeights: the vocabulary needs a word besides \"<pad>\" and \"<unk>\".", nameof(vocabularyWords));
        }

        var model = new CoAttentionPairModel(options, vocabulary.Count, new Random(0)); // every weight is overwritten below
        ModelPartFiles.LoadChecked(model, state, Path.GetFileName(path), detail => new InvalidDataException($"The weights file {detail} (the architecture the options describe and {vocabulary.Count} words)."));
        return new CoAttentionTransformer(model, vocabulary);
    }

    /// <summary>Refused: ML.NET's model format has no public way to write an external transformer.</summary>
    /// <exception cref="NotSupportedException">Always; use <c>mlContext.Model.SaveWithAttention</c>.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "A CoAttentionTransformer cannot be saved with mlContext.Model.Save, which only writes ML.NET's own transformers. " +
            "Save the whole model with mlContext.Model.SaveWithAttention(model, inputSchema, path) and load it with mlContext.Model.LoadWithAttention(path, out schema).");

    /// <summary>Scores one pair without a tape, in a tensor scope.</summary>
    internal CoAttentionScores Score(ReadOnlyMemory<char> first, ReadOnlyMemory<char> second, long row) => Score([first], [second], [row])[0];

    /// <summary>
    /// Scores pairs without a tape: grouped by both texts' lengths into batches of at most <see cref="GroupSize"/>, one
    /// forward pass per group; each pair's matrices cut from the padded ones; results in the input's order.
    /// </summary>
    internal CoAttentionScores[] Score(IReadOnlyList<ReadOnlyMemory<char>> first, IReadOnlyList<ReadOnlyMemory<char>> second, IReadOnlyList<long> rows)
    {
        int n = first.Count;
        string[][] a = [.. Enumerable.Range(0, n).Select(i => Words(Options, first[i], Options.FirstColumnName, rows[i]))];
        string[][] b = [.. Enumerable.Range(0, n).Select(i => Words(Options, second[i], Options.SecondColumnName, rows[i]))];
        var results = new CoAttentionScores[n];
        foreach (int[] group in LengthBuckets.Split([.. Enumerable.Range(0, n)], i => (a[i].Length, b[i].Length), GroupSize, random: null))
        {
            using TensorScope scope = TensorScope.Begin();
            using (GradMode.NoGrad())
            {
                CoAttentionResult co = Model.Forward(SourceBatch.From([.. group.Select(i => Vocabulary.Encode(a[i]))]), SourceBatch.From([.. group.Select(i => Vocabulary.Encode(b[i]))]), out Tensor logits);
                float[] l = logits.ToArray(), ab = co.FirstToSecondWeights.ToArray(), ba = co.SecondToFirstWeights.ToArray();
                int la = co.FirstToSecondWeights.Shape[1], lb = co.FirstToSecondWeights.Shape[2];
                for (int k = 0; k < group.Length; k++)
                {
                    int i = group[k];
                    results[i] = new CoAttentionScores(l[k], Cut(ab, k, la, lb, a[i].Length, b[i].Length), Cut(ba, k, lb, la, b[i].Length, a[i].Length), a[i], b[i]);
                }
            }
        }

        return results;
    }

    /// <summary>Most pairs in one forward pass.</summary>
    internal const int GroupSize = 32;

    /// <summary>The [rows, columns] top-left corner of matrix <paramref name="k"/> of a padded [B, height, width] block, row-major.</summary>
    private static float[] Cut(float[] block, int k, int height, int width, int rows, int columns)
    {
        var matrix = new float[rows * columns];
        for (int r = 0; r < rows; r++)
        {
            Array.Copy(block, (k * height + r) * width, matrix, r * columns, columns);
        }

        return matrix;
    }

    /// <summary>The words of a text, cut to MaximumLength, refusing a text without one by column and row.</summary>
    internal static string[] Words(CoAttentionOptions options, ReadOnlyMemory<char> text, string column, long row)
    {
        string[] words = Vocabulary.Tokenize(text.Span);
        if (words.Length == 0)
        {
            throw new InvalidOperationException($"{CoAttentionEstimator.Owner}: row {row} of column '{column}' has no words (the text is empty or only punctuation); every text needs at least one word.");
        }

        return words.Length > options.MaximumLength ? words[..options.MaximumLength] : words;
    }

    /// <summary>The text column <paramref name="name"/>, which must be a String scalar.</summary>
    internal static DataViewSchema.Column TextColumn(DataViewSchema schema, string name, string role)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"{CoAttentionEstimator.Owner}: {role} column '{name}' not found. Columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        return column.Type is TextDataViewType
            ? column
            : throw new ArgumentOutOfRangeException(nameof(schema), $"{CoAttentionEstimator.Owner}: {role} column '{name}' is {column.Type}; expected String.");
    }

    /// <summary>The optional output columns the options ask for, in order, with their item types.</summary>
    internal static IEnumerable<(string? Name, DataViewType Item)> ExtraColumns(CoAttentionOptions options) =>
        new (string?, DataViewType)[]
        {
            (options.FirstToSecondAttentionColumnName, NumberDataViewType.Single),
            (options.SecondToFirstAttentionColumnName, NumberDataViewType.Single),
            (options.FirstWordsColumnName, TextDataViewType.Instance),
            (options.SecondWordsColumnName, TextDataViewType.Instance),
        }.Where(c => c.Item1 is not null);
}
