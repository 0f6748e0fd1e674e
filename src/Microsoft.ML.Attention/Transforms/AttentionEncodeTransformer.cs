using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Onnx;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// The fitted <see cref="AttentionEncodeEstimator"/>: appends the attention-pooled embedding of the input column
/// (<c>float[ModelDimension]</c> with slot names) and, when asked, the pooling weight of every word or step and the
/// words themselves. The training head is not part of the output, so any trainer can follow. <c>Transform</c> reads
/// <see cref="ScoringBatchSize"/> rows ahead and scores them in one forward pass; a <c>PredictionEngine</c> scores its
/// one row.
/// </summary>
/// <remarks>
/// Save it with <c>mlContext.Model.SaveWithAttention</c> (pack extension method): ML.NET's own <c>Model.Save</c> cannot
/// write an external transformer and is refused with a message that says so.
/// </remarks>
public sealed class AttentionEncodeTransformer : ITransformer
{
    internal AttentionEncodeTransformer(AttentionEncoderModel model, Vocabulary? vocabulary, AttentionEncodeOptions? options = null)
    {
        Model = model;
        Options = options ?? model.Options;
        Vocabulary = vocabulary;
        Reader = new SequenceReader(Options, vocabulary);
        model.Eval();
    }

    /// <summary>
    /// The epochs of the <c>Fit</c> that made this transformer (training and validation loss per epoch), e.g. to draw a
    /// training curve; empty for a transformer loaded from a file (the history is not saved with the model).
    /// </summary>
    public IReadOnlyList<EpochReport> TrainingHistory { get; internal init; } = [];

    /// <summary>The embedding column's name.</summary>
    public string OutputColumnName => Options.OutputColumnName;

    /// <summary>The attention-weights column's name, or null when the transformer writes none.</summary>
    public string? AttentionWeightsColumnName => Options.AttentionWeightsColumnName;

    /// <summary>The input column's name.</summary>
    public string InputColumnName => Options.InputColumnName;

    /// <summary>The embedding's size.</summary>
    public int EmbeddingSize => Model.EmbeddingSize;

    /// <summary>The words known to the model by id (0 = padding, 1 = unknown), or null for vector input.</summary>
    public IReadOnlyList<string>? VocabularyWords => Vocabulary?.Words;

    /// <summary>Rows <c>Transform</c> scores in one forward pass (<see cref="AttentionEncodeOptions.ScoringBatchSize"/>).</summary>
    public int ScoringBatchSize => Options.ScoringBatchSize;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <summary>
    /// The same model scoring <paramref name="rows"/> rows per forward pass (1 = row by row), e.g. after loading a model
    /// on a machine with other cache sizes; the model's weights are shared, not copied.
    /// </summary>
    /// <param name="rows">Rows per forward pass; positive.</param>
    /// <returns>A transformer that differs from this one only in its scoring batch size.</returns>
    public AttentionEncodeTransformer WithScoringBatchSize(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        AttentionEncodeOptions options = Options.Clone();
        options.ScoringBatchSize = rows;
        return new AttentionEncodeTransformer(Model, Vocabulary, options) { TrainingHistory = TrainingHistory };
    }

    /// <summary>The options the model was trained with (never changed after <c>Fit</c>).</summary>
    internal AttentionEncodeOptions Options { get; }

    internal AttentionEncoderModel Model { get; }

    internal Vocabulary? Vocabulary { get; }

    internal SequenceReader Reader { get; }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new AttentionEncodeMapper(this, inputSchema).OutputSchema;
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new AttentionEncodeMapper(this, inputSchema);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new BatchedDataView<AttentionEncodeMapper.Encoded>(input, new AttentionEncodeMapper(this, input.Schema));
    }

    /// <summary>The ONNX input's name when a text encoder is exported in <see cref="OnnxExportForm.Batched"/> form.</summary>
    public const string OnnxTokenIdsInputName = "TokenIds";

    /// <summary>The ONNX output of the pooling weights when the transformer has no attention-weights column.</summary>
    public const string OnnxWeightsOutputName = "AttentionWeights";

    /// <summary>
    /// Writes the fitted encoder to <paramref name="destination"/> as an ONNX model (opset 17, no custom operators) that
    /// ONNX Runtime or ML.NET's <c>ApplyOnnxModel</c> scores without the pack. Outputs: the embedding, named like this
    /// transformer's output column, <c>[batch, EmbeddingSize]</c>, and the pooling weights, named like its
    /// attention-weights column (or <see cref="OnnxWeightsOutputName"/>), <c>[batch, MaximumLength]</c> for text and
    /// <c>[batch, steps]</c> for vectors, the values this transformer writes. The training head is not exported.
    /// </summary>
    /// <remarks>
    /// Text: the input is the words' ids, not the text, so the host tokenizes as the pack does (lower-cased runs of letters
    /// and digits) and looks the words up in <see cref="VocabularyWords"/>. <see cref="OnnxExportForm.Batched"/>: the input
    /// is named <see cref="OnnxTokenIdsInputName"/>, int64 <c>[batch, tokens]</c>, rows padded with 0.
    /// <see cref="OnnxExportForm.MLNetRow"/>: it is named like the input column and holds one row's uint32 key values as
    /// ML.NET's <c>MapValueToKey</c> over those words gives them; the outputs lose the batch dimension. Words past
    /// MaximumLength are dropped. Vectors: the input is named like the input column, float <c>[batch, size]</c>.
    /// </remarks>
    /// <param name="destination">A writable stream; it is left open.</param>
    /// <param name="inputSchema">The schema the transformer scores (it fixes a vector input's size).</param>
    /// <param name="form">The host the graph is shaped for: ONNX Runtime with batches (default) or ML.NET's <c>ApplyOnnxModel</c>.</param>
    /// <param name="onnxInputName">The ONNX input's name, or null for the default (above).</param>
    public void ExportToOnnx(Stream destination, DataViewSchema inputSchema, OnnxExportForm form = OnnxExportForm.Batched, string? onnxInputName = null)
    {
        OnnxDestination.Check(destination, "ExportToOnnx");
        ArgumentNullException.ThrowIfNull(inputSchema);

        CheckInput(inputSchema);
        int steps = WeightSlots(inputSchema);
        string input = onnxInputName ?? (Options.IsTextInput && form == OnnxExportForm.Batched ? OnnxTokenIdsInputName : Options.InputColumnName);
        byte[] model = AttentionEncoderOnnx.Export(Model, form, input, Options.OutputColumnName, Options.AttentionWeightsColumnName ?? OnnxWeightsOutputName, steps);
        destination.Write(model);
    }

    /// <summary>
    /// Writes the network's weights — encoder and training head — to a safetensors file under PyTorch's
    /// <c>state_dict</c> names (<c>embedding.weight</c>, <c>positions.weight</c>, <c>encoder.layers.{i}.self_attn.in_proj_weight</c>, …,
    /// <c>pool.proj.weight</c>, <c>pool.context</c>, <c>head.weight</c>), so that the PyTorch module of
    /// <c>build/pytorch/attention_encoder.py</c> (<c>nn.TransformerEncoder</c> with <c>norm_first=True</c>, GELU,
    /// <c>batch_first=True</c>) takes them with <c>load_state_dict(strict=True)</c>. The metadata holds the architecture.
    /// The write is atomic.
    /// </summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    public void SaveWeights(string path) =>
        ModelPartFiles.SaveWeightsFile(Model, path, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["architecture"] = WeightsArchitecture,
            ["model_dimension"] = Model.EmbeddingSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["heads"] = Options.Heads.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["layers"] = Options.Layers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["feed_forward_dimension"] = Options.FeedForwardDimension.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["maximum_length"] = Options.MaximumLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["step_size"] = Options.StepSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    /// <summary>The <c>architecture</c> metadata of <see cref="SaveWeights"/> files.</summary>
    public const string WeightsArchitecture = "microsoft-ml-attention/attention-encoder/1";

    /// <summary>
    /// A transformer scoring with weights from a safetensors file — one written by <see cref="SaveWeights"/>, or by PyTorch
    /// for the module of <c>build/pytorch/attention_encoder.py</c> — for the architecture <paramref name="options"/>
    /// describe and, for text, the words <paramref name="vocabularyWords"/> (id order, "&lt;pad&gt;" and "&lt;unk&gt;" first).
    /// The training head's size is read from <c>head.weight</c>. Every tensor must be present, of its shape and finite.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not safetensors, misses a tensor, has one of another shape, or non-finite values; the message names the file and the tensor.</exception>
    public static AttentionEncodeTransformer FromWeights(AttentionEncodeOptions options, IReadOnlyList<string>? vocabularyWords, string path)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options = options.Clone();
        options.Validate();
        if (options.IsTextInput != vocabularyWords is not null)
        {
            throw new ArgumentException(options.IsTextInput ? "FromWeights: a text model needs its vocabulary's words." : "FromWeights: a vector model (StepSize > 0) takes no vocabulary.", nameof(vocabularyWords));
        }

        Dictionary<string, Tensors.Tensor> state = ModelPartFiles.LoadWeightsFile(path);
        Vocabulary? vocabulary = vocabularyWords is null ? null : new Vocabulary(vocabularyWords);
        int outputs = ModelPartFiles.Rows(state, "head.weight", path, "the training head");
        var model = new AttentionEncoderModel(options, vocabulary?.Count ?? 0, outputs, new Tensors.StatefulRandom(0));
        ModelPartFiles.LoadChecked(model, state, Path.GetFileName(path), detail => new InvalidDataException($"The weights file {detail} (the architecture the options describe)."));
        return new AttentionEncodeTransformer(model, vocabulary);
    }

    /// <summary>Refused: ML.NET's model format has no public way to write an external transformer.</summary>
    /// <exception cref="NotSupportedException">Always; use <c>mlContext.Model.SaveWithAttention</c>.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "An AttentionEncodeTransformer cannot be saved with mlContext.Model.Save, which only writes ML.NET's own transformers. " +
            "Save the whole model with mlContext.Model.SaveWithAttention(model, inputSchema, path) and load it with mlContext.Model.LoadWithAttention(path, out schema).");

    /// <summary>The input column, checked against what the model was trained on.</summary>
    internal DataViewSchema.Column CheckInput(DataViewSchema schema)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(Options.InputColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"AttentionEncode: input column '{Options.InputColumnName}' not found. Columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        CheckInputType(column, Options);
        return column;
    }

    internal static void CheckInputType(DataViewSchema.Column column, AttentionEncodeOptions options)
    {
        if (options.IsTextInput)
        {
            if (column.Type is not TextDataViewType)
            {
                throw new ArgumentOutOfRangeException(nameof(column), $"AttentionEncode: input column '{column.Name}' has type {column.Type}; expected String (text), or set StepSize for a float vector.");
            }

            return;
        }

        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType } v || v.ItemType != NumberDataViewType.Single)
        {
            throw new ArgumentOutOfRangeException(nameof(column), $"AttentionEncode: input column '{column.Name}' has type {column.Type}; expected Vector<Single> read as steps of StepSize = {options.StepSize}.");
        }

        if (!v.IsKnownSize)
        {
            throw new ArgumentOutOfRangeException(nameof(column), $"AttentionEncode: input column '{column.Name}' is a vector of variable size; expected a fixed-size Vector<Single> of whole steps of StepSize = {options.StepSize}.");
        }

        if (v.Size % options.StepSize != 0 || v.Size / options.StepSize > options.MaximumLength)
        {
            throw new ArgumentOutOfRangeException(nameof(column), $"AttentionEncode: input column '{column.Name}' has {v.Size} values, which is not a whole number of steps of StepSize = {options.StepSize} within MaximumLength = {options.MaximumLength} steps.");
        }
    }

    /// <summary>Size of the attention-weights column: the maximum length in words, or the number of steps.</summary>
    internal int WeightSlots(DataViewSchema schema) =>
        Options.IsTextInput ? Options.MaximumLength : ((VectorDataViewType)CheckInput(schema).Type).Size / Options.StepSize;
}
