using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// The fitted encoder–decoder: decodes every source text (greedily, or by beam search when the options' beam width
/// exceeds 1) into the output column and, on request, the alignment and both sides' tokens.
/// </summary>
/// <remarks>Save it with <c>mlContext.Model.SaveWithAttention</c>; ML.NET's own <c>Model.Save</c> is refused with a message that says so.</remarks>
public sealed class SequenceToSequenceTransformer : ITransformer
{
    private readonly SequenceTextReader _reader;

    internal SequenceToSequenceTransformer(SequenceToSequenceModel model, Vocabulary sourceVocabulary, Vocabulary targetVocabulary)
    {
        Model = model;
        Options = model.Options;
        SourceVocabulary = sourceVocabulary;
        TargetVocabulary = targetVocabulary;
        _reader = new SequenceTextReader(Options);
        model.Eval();
    }

    /// <summary>Source tokens known (markers included).</summary>
    public int SourceVocabularySize => SourceVocabulary.Count;

    /// <summary>Target tokens the decoder can write (markers included).</summary>
    public int TargetVocabularySize => TargetVocabulary.Count;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    internal SequenceToSequenceOptions Options { get; }

    internal SequenceToSequenceModel Model { get; }

    internal Vocabulary SourceVocabulary { get; }

    internal Vocabulary TargetVocabulary { get; }

    /// <summary>
    /// Decodes <paramref name="sources"/> in batches of the options' <c>DecodeBatchSize</c>, as <c>Transform</c> does.
    /// </summary>
    /// <exception cref="InvalidOperationException">A source has no token or more than <c>MaximumSourceLength</c>; the message gives its index.</exception>
    public IReadOnlyList<SequenceToSequencePrediction> Predict(IReadOnlyList<string> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        return Predict([.. sources.Select(s => s.AsMemory())], first: 0);
    }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new SequenceToSequenceMapper(this, inputSchema).OutputSchema;
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new SequenceToSequenceMapper(this, inputSchema);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new SequenceToSequenceDataView(input, this);
    }

    /// <summary>The ONNX input of <see cref="ExportEncoderToOnnx"/>: int64 source token ids <c>[batch, steps]</c>.</summary>
    public const string OnnxSourceIdsInputName = "SourceIds";

    /// <summary>The ONNX output of the encoder states, <c>[batch, steps, 2·HiddenSize]</c>.</summary>
    public const string OnnxEncoderStatesOutputName = "EncoderStates";

    /// <summary>The ONNX output of the decoder's initial hidden state, <c>[batch, 2·HiddenSize]</c>.</summary>
    public const string OnnxDecoderInitialStateOutputName = "DecoderInitialState";

    /// <summary>
    /// Writes the fitted encoder to <paramref name="destination"/> as an ONNX model (opset 17, standard operators: the
    /// bidirectional encoder as ONNX <c>GRU</c>/<c>LSTM</c>) that ONNX Runtime runs without the pack, sources in
    /// batches. Input <see cref="OnnxSourceIdsInputName"/>: int64 <c>[batch, steps]</c>, each source's ids as
    /// <see cref="SourceTokenIds"/> gives them, padded with 0. Outputs: <see cref="OnnxEncoderStatesOutputName"/> (the
    /// states the decoder's attention reads, 0 on padding) and <see cref="OnnxDecoderInitialStateOutputName"/>: the
    /// values this transformer's encoder computes. The decoder (a loop over output tokens with attention) is not exported.
    /// </summary>
    /// <param name="destination">A writable stream; it is left open.</param>
    public void ExportEncoderToOnnx(Stream destination)
    {
        OnnxDestination.Check(destination, "ExportEncoderToOnnx");
        destination.Write(Onnx.SequenceToSequenceOnnx.ExportEncoder(Model, OnnxSourceIdsInputName, OnnxEncoderStatesOutputName, OnnxDecoderInitialStateOutputName));
    }

    /// <summary>A source text as the token ids the encoder reads (the input of <see cref="ExportEncoderToOnnx"/>'s graph, one row before padding).</summary>
    /// <param name="source">The source text, as the source column holds it.</param>
    /// <exception cref="InvalidOperationException">The text has no token, or more than <c>MaximumSourceLength</c>.</exception>
    public int[] SourceTokenIds(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return SourceVocabulary.Encode(_reader.Source(source.AsMemory(), 0));
    }

    /// <summary>The <c>architecture</c> metadata of <see cref="SaveWeights"/> files.</summary>
    public const string WeightsArchitecture = "microsoft-ml-attention/sequence-to-sequence/1";

    /// <summary>
    /// Writes the network's weights to a safetensors file under PyTorch's <c>state_dict</c> names
    /// (<c>source_embedding.weight</c>, <c>target_embedding.weight</c>, <c>encoder.*</c> as a bidirectional
    /// <c>nn.GRU</c>/<c>nn.LSTM</c> names them, <c>bridge.*</c>, <c>decoder.*</c>, <c>attention.*</c>, <c>combine.weight</c>,
    /// <c>output.*</c>), so that the PyTorch module of <c>build/pytorch/sequence_to_sequence.py</c> takes them with
    /// <c>load_state_dict(strict=True)</c> (for additive attention, the default). The metadata holds the architecture; the
    /// vocabularies are not in the file. The write is atomic.
    /// </summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    public void SaveWeights(string path) =>
        ModelPartFiles.SaveWeightsFile(Model, path, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["architecture"] = WeightsArchitecture,
            ["cell"] = Options.Cell == RecurrentCell.Lstm ? "lstm" : "gru",
            ["attention"] = Options.Attention.ToString().ToLowerInvariant(),
            ["input_feeding"] = Options.InputFeeding ? "true" : "false",
            ["embedding_dimension"] = Options.EmbeddingDimension.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["hidden_size"] = Options.HiddenSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["attention_dimension"] = Options.AttentionDimension.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    /// <summary>
    /// A transformer decoding with weights from a safetensors file — one written by <see cref="SaveWeights"/>, or by
    /// PyTorch for the module of <c>build/pytorch/sequence_to_sequence.py</c> — for the architecture
    /// <paramref name="options"/> describe (cell, attention, sizes; the tokenization, lengths, decoding and columns apply
    /// as in a <c>Fit</c>) and the vocabularies <paramref name="sourceWords"/> and <paramref name="targetWords"/> (id order,
    /// starting "&lt;pad&gt;", "&lt;unk&gt;", "&lt;s&gt;", "&lt;/s&gt;").
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not safetensors, misses a tensor, has one of another shape or non-finite values; the message names the file and the tensor.</exception>
    public static SequenceToSequenceTransformer FromWeights(SequenceToSequenceOptions options, IReadOnlyList<string> sourceWords, IReadOnlyList<string> targetWords, string path)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sourceWords);
        ArgumentNullException.ThrowIfNull(targetWords);
        options = options.Clone();
        options.Validate();
        foreach ((IReadOnlyList<string> words, string which) in new[] { (sourceWords, "source"), (targetWords, "target") })
        {
            if (words.Count <= SequenceToSequenceModel.FirstToken || words[SequenceToSequenceModel.Start] != "<s>" || words[SequenceToSequenceModel.End] != "</s>")
            {
                throw new ArgumentException($"FromWeights: the {which} vocabulary starts \"<pad>\", \"<unk>\", \"<s>\", \"</s>\" and has a token after them.", which == "source" ? nameof(sourceWords) : nameof(targetWords));
            }
        }

        Dictionary<string, Tensors.Tensor> state = ModelPartFiles.LoadWeightsFile(path);
        Vocabulary source = new(sourceWords), target = new(targetWords);
        var model = new SequenceToSequenceModel(options, source.Count, target.Count, new Random(0)); // every weight is overwritten below
        ModelPartFiles.LoadChecked(model, state, Path.GetFileName(path), detail => new InvalidDataException(
            $"The weights file {detail} (the architecture the options describe, vocabularies of {source.Count} and {target.Count} tokens)."));
        return new SequenceToSequenceTransformer(model, source, target);
    }

    /// <summary>Refused: ML.NET's model format has no public way to write an external transformer.</summary>
    /// <exception cref="NotSupportedException">Always; use <c>mlContext.Model.SaveWithAttention</c>.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "A SequenceToSequenceTransformer cannot be saved with mlContext.Model.Save, which only writes ML.NET's own transformers. " +
            "Save the whole model with mlContext.Model.SaveWithAttention(model, inputSchema, path) and load it with mlContext.Model.LoadWithAttention(path, out schema).");

    /// <summary>Decodes sources whose rows are numbered from <paramref name="first"/> (for error messages).</summary>
    internal SequenceToSequencePrediction[] Predict(IReadOnlyList<ReadOnlyMemory<char>> sources, long first)
    {
        var results = new SequenceToSequencePrediction[sources.Count];
        for (int start = 0; start < sources.Count; start += Options.DecodeBatchSize)
        {
            int count = Math.Min(Options.DecodeBatchSize, sources.Count - start);
            string[][] tokens = [.. Enumerable.Range(start, count).Select(i => _reader.Source(sources[i], first + i))];
            SourceBatch batch = SourceBatch.From([.. tokens.Select(SourceVocabulary.Encode)]);
            DecodedSequence[] decoded = Options.BeamWidth == 1
                ? SequenceDecoder.Greedy(Model, batch, Options.MaximumTargetLength)
                : SequenceDecoder.Beam(Model, batch, Options.BeamWidth, Options.LengthPenalty, Options.MaximumTargetLength);
            for (int i = 0; i < count; i++)
            {
                string[] output = [.. decoded[i].Tokens.Select(id => TargetVocabulary.Words[id])];
                results[start + i] = new SequenceToSequencePrediction(SequenceTokenizer.Join(output, Options.Unit), tokens[i], output, decoded[i].Alignment);
            }
        }

        return results;
    }

    /// <summary>The source column, checked to be text.</summary>
    internal DataViewSchema.Column CheckInput(DataViewSchema schema) => SequenceTextReader.TextColumn(schema, Options.SourceColumnName, "source");
}
