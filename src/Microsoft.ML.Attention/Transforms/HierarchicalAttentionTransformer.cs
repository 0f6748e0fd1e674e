using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// The fitted <see cref="HierarchicalAttentionEstimator"/>: scores each document into <c>Score</c> (class
/// probabilities) and <c>PredictedLabel</c> (a key with the training label's values), and on request the weight of
/// every sentence and of every word within its sentence, with the sentences and words they refer to.
/// </summary>
/// <remarks>
/// Save it with <c>mlContext.Model.SaveWithAttention</c>: ML.NET's own <c>Model.Save</c> cannot write an external
/// transformer and is refused with a message that says so.
/// </remarks>
public sealed class HierarchicalAttentionTransformer : ITransformer
{
    internal HierarchicalAttentionTransformer(HierarchicalAttentionModel model, Vocabulary vocabulary, string[]? labelValues, bool binary, HierarchicalAttentionOptions? options = null)
    {
        if (binary && model.Classes != 2)
        {
            throw new ArgumentException($"A binary model has 2 classes, not {model.Classes}.", nameof(binary));
        }

        Binary = binary;
        Model = model;
        Options = options ?? model.Options;
        Vocabulary = vocabulary;
        LabelValues = labelValues;
        Reader = new DocumentReader(Options, vocabulary);
        model.Eval();
    }

    /// <summary>
    /// The epochs of the <c>Fit</c> that made this transformer (training and validation loss per epoch), e.g. to draw a
    /// training curve; empty for a transformer loaded from a file (the history is not saved with the model).
    /// </summary>
    public IReadOnlyList<EpochReport> TrainingHistory { get; internal init; } = [];

    /// <summary>Classes of the predicted label.</summary>
    public int Classes => Model.Classes;

    /// <summary>True for a binary classifier (Score, Probability, Boolean PredictedLabel); false for multiclass.</summary>
    public bool Binary { get; }

    /// <summary>The words known to the model by id (0 = padding, 1 = unknown).</summary>
    public IReadOnlyList<string> VocabularyWords => Vocabulary.Words;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <summary>Documents <c>Transform</c> scores together (<see cref="HierarchicalAttentionOptions.ScoringBatchSize"/>).</summary>
    public int ScoringBatchSize => Options.ScoringBatchSize;

    /// <summary>The same model scoring <paramref name="documents"/> documents per block (1 = one by one); the weights are shared.</summary>
    /// <param name="documents">Documents per block; positive.</param>
    /// <returns>A transformer that differs from this one only in its scoring batch size.</returns>
    public HierarchicalAttentionTransformer WithScoringBatchSize(int documents)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(documents);
        HierarchicalAttentionOptions options = Options.Clone();
        options.ScoringBatchSize = documents;
        return new HierarchicalAttentionTransformer(Model, Vocabulary, LabelValues, Binary, options) { TrainingHistory = TrainingHistory };
    }

    internal HierarchicalAttentionOptions Options { get; }

    internal HierarchicalAttentionModel Model { get; }

    internal Vocabulary Vocabulary { get; }

    /// <summary>The training label's key values (class k at index k − 1), or null when it had none.</summary>
    internal string[]? LabelValues { get; }

    internal DocumentReader Reader { get; }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new HierarchicalAttentionMapper(this, inputSchema).OutputSchema;
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new HierarchicalAttentionMapper(this, inputSchema);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new BatchedDataView<HierarchicalAttentionScores>(input, new HierarchicalAttentionMapper(this, input.Schema));
    }

    /// <summary>The ONNX input of <see cref="ExportToOnnx"/>: int64 token ids <c>[batch, sentences, words]</c>.</summary>
    public const string OnnxTokenIdsInputName = "TokenIds";

    /// <summary>The ONNX output of the classification head's logits, <c>[batch, classes]</c>.</summary>
    public const string OnnxLogitsOutputName = "Logits";

    /// <summary>The ONNX output of the class probabilities, <c>[batch, classes]</c> (for a binary model, class 1 is "true").</summary>
    public const string OnnxProbabilitiesOutputName = "Probabilities";

    /// <summary>The ONNX output of the sentence weights when the transformer has no sentence-attention column.</summary>
    public const string OnnxSentenceWeightsOutputName = "SentenceWeights";

    /// <summary>The ONNX output of the word weights when the transformer has no word-attention column.</summary>
    public const string OnnxWordWeightsOutputName = "WordWeights";

    /// <summary>
    /// Writes the fitted network to <paramref name="destination"/> as an ONNX model (opset 17, standard operators: the
    /// recurrent encoders as ONNX <c>GRU</c>/<c>LSTM</c>) that ONNX Runtime scores without the pack, documents in batches.
    /// Input <see cref="OnnxTokenIdsInputName"/>: int64 <c>[batch, sentences, words]</c>, each document's sentences as
    /// <see cref="TokenIds"/> gives them, padded with 0 (words after a sentence's end, whole sentences after a document's
    /// last). Outputs: <see cref="OnnxLogitsOutputName"/> and <see cref="OnnxProbabilitiesOutputName"/>
    /// <c>[batch, classes]</c>, the sentence weights <c>[batch, sentences]</c> and the word weights
    /// <c>[batch, sentences, words]</c>, named like this transformer's attention columns (or the defaults above), 0 on
    /// padding: the values this transformer computes.
    /// </summary>
    /// <remarks>
    /// ML.NET's own transforms cannot split a text into sentences, so this graph is for ONNX Runtime (or any host that
    /// tokenizes as <see cref="DocumentTokenizer"/> does and looks the words up in <see cref="VocabularyWords"/>: id of
    /// word i is i + 2, 1 = unknown); it is not an <c>ApplyOnnxModel</c> chain.
    /// </remarks>
    /// <param name="destination">A writable stream; it is left open.</param>
    public void ExportToOnnx(Stream destination)
    {
        OnnxDestination.Check(destination, "ExportToOnnx");
        byte[] model = Onnx.HierarchicalAttentionOnnx.Export(Model, OnnxTokenIdsInputName, OnnxLogitsOutputName, OnnxProbabilitiesOutputName,
            Options.SentenceAttentionColumnName ?? OnnxSentenceWeightsOutputName, Options.WordAttentionColumnName ?? OnnxWordWeightsOutputName);
        destination.Write(model);
    }

    /// <summary>
    /// A document's sentences as the token ids the network reads (cut to MaximumSentences × MaximumWords): the input of
    /// <see cref="ExportToOnnx"/>'s graph, one document's slice of it before padding.
    /// </summary>
    /// <param name="text">The document, as the text column holds it.</param>
    /// <exception cref="InvalidOperationException">The text has no sentence with a word.</exception>
    public int[][] TokenIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Reader.Encode(Reader.Sentences(text.AsMemory(), 0));
    }

    /// <summary>The <c>architecture</c> metadata of <see cref="SaveWeights"/> files.</summary>
    public const string WeightsArchitecture = "microsoft-ml-attention/hierarchical-attention/1";

    /// <summary>
    /// Writes the network's weights to a safetensors file under PyTorch's <c>state_dict</c> names (<c>embedding.weight</c>,
    /// <c>word_encoder.weight_ih_l0</c>, …, <c>word_encoder.bias_hh_l0_reverse</c> as <c>nn.GRU</c>/<c>nn.LSTM</c> name them
    /// with <c>bidirectional=True</c>, <c>word_attention.proj.weight</c>, <c>word_attention.context</c>, the same for
    /// <c>sentence_encoder</c> and <c>sentence_attention</c>, <c>head.weight</c>, <c>head.bias</c>), so that the PyTorch
    /// module of <c>build/pytorch/hierarchical_attention.py</c> takes them with <c>load_state_dict(strict=True)</c>. The
    /// metadata holds the architecture (cell, sizes, classes); the vocabulary and label values are not in the file. The
    /// write is atomic.
    /// </summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    public void SaveWeights(string path) =>
        ModelPartFiles.SaveWeightsFile(Model, path, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["architecture"] = WeightsArchitecture,
            ["cell"] = Options.Cell == RecurrentCell.Lstm ? "lstm" : "gru",
            ["embedding_dimension"] = Options.EmbeddingDimension.ToString(CultureInfo.InvariantCulture),
            ["hidden_size"] = Options.HiddenSize.ToString(CultureInfo.InvariantCulture),
            ["attention_dimension"] = Options.AttentionDimension.ToString(CultureInfo.InvariantCulture),
            ["classes"] = Classes.ToString(CultureInfo.InvariantCulture),
        });

    /// <summary>
    /// A transformer scoring with weights from a safetensors file — one written by <see cref="SaveWeights"/>, or by PyTorch
    /// for the module of <c>build/pytorch/hierarchical_attention.py</c> — for the architecture <paramref name="options"/>
    /// describe (cell, embedding, hidden and attention sizes; the reading limits and output columns apply as in a
    /// <c>Fit</c>) and the words <paramref name="vocabularyWords"/> (id order, "&lt;pad&gt;" and "&lt;unk&gt;" first). The
    /// classes are read from <c>head.weight</c>.
    /// </summary>
    /// <param name="options">The architecture and the columns; validated.</param>
    /// <param name="vocabularyWords">The words by id.</param>
    /// <param name="path">The safetensors file.</param>
    /// <param name="binary">True for a binary classifier (2 classes; a Boolean <c>PredictedLabel</c>, as the binary
    /// trainer makes); false for a multiclass one (a key <c>PredictedLabel</c>).</param>
    /// <param name="labelValues">For a multiclass model, the label's values by class (class k is value k − 1), or null for a key without values.</param>
    /// <exception cref="InvalidDataException">The file is not safetensors, misses a tensor, has one of another shape or non-finite values; the message names the file and the tensor.</exception>
    public static HierarchicalAttentionTransformer FromWeights(HierarchicalAttentionOptions options, IReadOnlyList<string> vocabularyWords, string path, bool binary = false, IReadOnlyList<string>? labelValues = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(vocabularyWords);
        options = options.Clone();
        options.Validate();
        Dictionary<string, Tensor> state = ModelPartFiles.LoadWeightsFile(path);
        var vocabulary = new Vocabulary(vocabularyWords);
        int classes = ModelPartFiles.Rows(state, "head.weight", path, "the classifier");
        if (binary && (classes != 2 || labelValues is not null))
        {
            throw new ArgumentException($"FromWeights: a binary classifier has 2 classes and no label values; '{path}' has {classes} classes{(labelValues is null ? "" : " and label values were given")}.", nameof(binary));
        }

        ModelPartFiles.CheckLabelValues(labelValues, classes, path);

        if (classes < 2 || vocabulary.Count <= 2)
        {
            throw new InvalidDataException($"The weights file '{path}' has a head of {classes} classes and the vocabulary {vocabulary.Count} words; a classifier needs 2 classes and a word besides the markers.");
        }

        var model = new HierarchicalAttentionModel(options, vocabulary.Count, classes, new Random(0)); // every weight is overwritten below
        ModelPartFiles.LoadChecked(model, state, Path.GetFileName(path), detail => new InvalidDataException($"The weights file {detail} (the architecture the options describe and {vocabulary.Count} words)."));
        return new HierarchicalAttentionTransformer(model, vocabulary, labelValues?.ToArray(), binary);
    }

    /// <summary>Refused: ML.NET's model format has no public way to write an external transformer.</summary>
    /// <exception cref="NotSupportedException">Always; use <c>mlContext.Model.SaveWithAttention</c>.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "A HierarchicalAttentionTransformer cannot be saved with mlContext.Model.Save, which only writes ML.NET's own transformers. " +
            "Save the whole model with mlContext.Model.SaveWithAttention(model, inputSchema, path) and load it with mlContext.Model.LoadWithAttention(path, out schema).");

    /// <summary>
    /// One document's two levels of attention as a self-contained HTML fragment: each sentence on its own line, shaded by
    /// its weight, each word shaded by its weight within the sentence, the predicted class and the weights in tooltips.
    /// </summary>
    /// <param name="text">The document, as the text column holds it.</param>
    /// <exception cref="InvalidOperationException">The text has no sentence with a word.</exception>
    public string ExplainAsHtml(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        HierarchicalAttentionScores scores = Score(text.AsMemory(), row: 0);
        string predicted = LabelValues is { } values ? values[scores.Predicted - 1] : Binary ? (scores.Predicted == 2).ToString() : scores.Predicted.ToString(CultureInfo.InvariantCulture);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"han\" style=\"font-family:sans-serif;line-height:1.8\"><p>Predicted: <b>{WebUtility.HtmlEncode(predicted)}</b> ({scores.Probabilities.Max():P1})</p>\n");
        int word = 0;
        for (int s = 0; s < scores.Sentences.Length; s++)
        {
            float sw = scores.SentenceWeights[s];
            html.Append(CultureInfo.InvariantCulture, $"<div title=\"sentence weight {sw:F3}\" style=\"border-left:6px solid rgba(220,40,40,{sw:F3});padding-left:6px\">");
            foreach (string w in scores.Sentences[s].Split(' '))
            {
                float ww = scores.WordWeights[word++];
                html.Append(CultureInfo.InvariantCulture, $"<span title=\"{ww:F3}\" style=\"background:rgba(40,90,220,{ww:F3})\">{WebUtility.HtmlEncode(w)}</span> ");
            }

            html.Append("</div>\n");
        }

        return html.Append("</div>\n").ToString();
    }

    /// <summary>Scores one document without a tape, in a tensor scope.</summary>
    internal HierarchicalAttentionScores Score(ReadOnlyMemory<char> text, long row) => Score([text], [row])[0];

    /// <summary>
    /// Scores documents without a tape: grouped by shape (sentences, then longest sentence) into batches of at most
    /// <see cref="GroupSize"/>, one forward pass per group, the groups spread over the cores
    /// (<see cref="EngineThreads.ForEachPiece"/>); results in the input's order.
    /// </summary>
    internal HierarchicalAttentionScores[] Score(IReadOnlyList<ReadOnlyMemory<char>> texts, IReadOnlyList<long> rows)
    {
        var sentences = new List<string[]>[texts.Count];
        var encoded = new int[texts.Count][][];
        for (int i = 0; i < texts.Count; i++)
        {
            sentences[i] = Reader.Sentences(texts[i], rows[i]);
            encoded[i] = Reader.Encode(sentences[i]);
        }

        var results = new HierarchicalAttentionScores[texts.Count];
        List<int[]> groups = LengthBuckets.Split([.. Enumerable.Range(0, texts.Count)], i => (encoded[i].Length, encoded[i].Max(s => s.Length)), GroupSize, random: null);
        // Each group is one forward pass of many short kernels: the groups run at once, each on one core from start to end.
        EngineThreads.ForEachPiece(groups.Count, g =>
        {
            int[] group = groups[g];
            DocumentBatch batch = DocumentBatch.From([.. group.Select(i => encoded[i])]);
            using TensorScope scope = TensorScope.Begin();
            using (GradMode.NoGrad())
            {
                HierarchicalAttentionResult r = Model.Forward(batch);
                int classes = r.Logits.Shape[^1], s = batch.Sentences, w = batch.Words;
                float[] logits = r.Logits.ToArray(), probabilities = r.Logits.Softmax(-1).ToArray();
                float[] sentenceWeights = r.SentenceWeights.ToArray(), wordWeights = r.WordWeights.ToArray();
                for (int b = 0; b < group.Length; b++)
                {
                    List<string[]> doc = sentences[group[b]];
                    float[] p = probabilities[(b * classes)..((b + 1) * classes)];
                    uint predicted = (uint)Array.IndexOf(p, p.Max()) + 1;
                    float[] words = [.. doc.SelectMany((sentence, i) => wordWeights.Skip((b * s + i) * w).Take(sentence.Length))];
                    results[group[b]] = new HierarchicalAttentionScores(
                        p, logits[(b * classes)..((b + 1) * classes)], predicted, sentenceWeights[(b * s)..(b * s + doc.Count)],
                        [.. doc.Select(x => string.Join(' ', x))], words, [.. doc.SelectMany(x => x)]);
                }
            }
        });

        return results;
    }

    /// <summary>Most documents in one forward pass of <see cref="Score(IReadOnlyList{ReadOnlyMemory{char}}, IReadOnlyList{long})"/>.</summary>
    internal const int GroupSize = 16;

    /// <summary>The text column, checked.</summary>
    internal DataViewSchema.Column CheckInput(DataViewSchema schema)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(Options.TextColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"HierarchicalAttention: text column '{Options.TextColumnName}' not found. Columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        CheckText(column);
        return column;
    }

    internal static void CheckText(DataViewSchema.Column column)
    {
        if (column.Type is not TextDataViewType)
        {
            throw new ArgumentOutOfRangeException(nameof(column), $"HierarchicalAttention: text column '{column.Name}' has type {column.Type}; expected String.");
        }
    }
}
