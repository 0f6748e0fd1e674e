using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// The fitted recurrent attention classifier: scores each image into <c>Score</c> (class probabilities) and
/// <c>PredictedLabel</c> (a key with the training label's values) from a fixed number of glimpses, each where the
/// location policy's mean points, and on request the glimpse locations.
/// </summary>
/// <remarks>Save it with <c>mlContext.Model.SaveWithAttention</c>; ML.NET's own <c>Model.Save</c> is refused with a message that says so.</remarks>
public sealed class RecurrentAttentionTransformer : ITransformer
{
    internal RecurrentAttentionTransformer(RecurrentAttentionNetwork model, string[]? labelValues, RecurrentAttentionOptions? options = null)
    {
        Model = model;
        Options = options ?? model.Options;
        LabelValues = labelValues;
        model.Eval();
    }

    /// <summary>Classes the network was trained on.</summary>
    public int Classes => Model.Classes;

    /// <summary>The image layout the network reads (channels × height × width).</summary>
    public ImageShape Shape => Model.Shape;

    /// <summary>Glimpses per image.</summary>
    public int Glimpses => Options.Glimpses;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <summary>Images <c>Transform</c> scores in one forward pass (<see cref="RecurrentAttentionOptions.ScoringBatchSize"/>).</summary>
    public int ScoringBatchSize => Options.ScoringBatchSize;

    /// <summary>The same network scoring <paramref name="images"/> images per forward pass (1 = one by one); the weights are shared.</summary>
    /// <param name="images">Images per forward pass; positive.</param>
    /// <returns>A transformer that differs from this one only in its scoring batch size.</returns>
    public RecurrentAttentionTransformer WithScoringBatchSize(int images)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(images);
        RecurrentAttentionOptions options = Options.Clone();
        options.ScoringBatchSize = images;
        return new RecurrentAttentionTransformer(Model, LabelValues, options);
    }

    internal RecurrentAttentionOptions Options { get; }

    internal RecurrentAttentionNetwork Model { get; }

    internal string[]? LabelValues { get; }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new RecurrentAttentionMapper(this, inputSchema).OutputSchema;
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new RecurrentAttentionMapper(this, inputSchema);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new BatchedDataView<RecurrentAttentionScores>(input, new RecurrentAttentionMapper(this, input.Schema));
    }

    /// <summary>The ONNX output of the glimpse locations when the transformer has no locations column.</summary>
    public const string OnnxLocationsOutputName = "Locations";

    /// <summary>
    /// Writes the fitted network to <paramref name="destination"/> as an ONNX model (opset 17, standard operators: the
    /// glimpses unrolled, each scale's patch read with <c>GridSample</c>) that ONNX Runtime scores without the pack, images
    /// in batches. Input: the pixel column's planar floats, named like it, <c>[batch, C·H·W]</c>. Outputs: <c>Score</c>
    /// (class probabilities) and the glimpse locations <c>[batch, 2·Glimpses]</c>, named like the locations column (or
    /// <see cref="OnnxLocationsOutputName"/>): the values this transformer computes.
    /// </summary>
    /// <remarks>For ONNX Runtime: an <c>ApplyOnnxModel</c> chain cannot rebuild the key PredictedLabel (ML.NET's ONNX transformer gives vectors only).</remarks>
    /// <param name="destination">A writable stream; it is left open.</param>
    public void ExportToOnnx(Stream destination)
    {
        OnnxDestination.Check(destination, "ExportToOnnx");
        destination.Write(Onnx.RecurrentAttentionOnnx.Export(Model, Options.FeatureColumnName, "Score", Options.LocationsColumnName ?? OnnxLocationsOutputName));
    }

    /// <summary>The <c>architecture</c> metadata of <see cref="SaveWeights"/> files.</summary>
    public const string WeightsArchitecture = "microsoft-ml-attention/recurrent-attention/1";

    /// <summary>
    /// Writes the network's weights to a safetensors file under PyTorch's <c>state_dict</c> names (<c>glimpse_what.*</c>,
    /// <c>glimpse_where.*</c>, <c>glimpse_what_out.*</c>, <c>glimpse_where_out.*</c>, <c>core_input.*</c>,
    /// <c>core_hidden.*</c>, <c>location.*</c>, <c>baseline.*</c>, <c>classifier.*</c>, <c>input_mean</c>, <c>input_std</c>),
    /// so that the PyTorch module of <c>build/pytorch/recurrent_attention.py</c> takes them with
    /// <c>load_state_dict(strict=True)</c>. The metadata holds the architecture and image layout; the label values are not
    /// in the file. The write is atomic.
    /// </summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    public void SaveWeights(string path)
    {
        string Number(int v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
        ModelPartFiles.SaveWeightsFile(Model, path, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["architecture"] = WeightsArchitecture,
            ["channels"] = Number(Shape.Channels),
            ["height"] = Number(Shape.Height),
            ["width"] = Number(Shape.Width),
            ["glimpses"] = Number(Options.Glimpses),
            ["patch_size"] = Number(Options.PatchSize),
            ["scales"] = Number(Options.Scales),
            ["scale_factor"] = Number(Options.ScaleFactor),
            ["glimpse_hidden"] = Number(Options.GlimpseHidden),
            ["hidden_size"] = Number(Options.HiddenSize),
            ["classes"] = Number(Classes),
        });
    }

    /// <summary>
    /// A transformer scoring with weights from a safetensors file — one written by <see cref="SaveWeights"/>, or by PyTorch
    /// for the module of <c>build/pytorch/recurrent_attention.py</c> — for the architecture <paramref name="options"/>
    /// describe (glimpses, patch size, scales, sizes; the columns apply as in a <c>Fit</c>) and images of
    /// <paramref name="shape"/>. The classes are read from <c>classifier.weight</c>.
    /// </summary>
    /// <param name="options">The architecture and the columns; validated.</param>
    /// <param name="shape">The planar image layout.</param>
    /// <param name="path">The safetensors file.</param>
    /// <param name="labelValues">The label's values by class (class k is value k − 1), or null for a key without values.</param>
    /// <exception cref="InvalidDataException">The file is not safetensors, misses a tensor, has one of another shape or non-finite values; the message names the file and the tensor.</exception>
    public static RecurrentAttentionTransformer FromWeights(RecurrentAttentionOptions options, ImageShape shape, string path, IReadOnlyList<string>? labelValues = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Clone();
        options.Validate();
        if (shape.Channels <= 0 || shape.Height <= 0 || shape.Width <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(shape), $"FromWeights: the image layout {shape} is not positive.");
        }

        Dictionary<string, Tensor> state = ModelPartFiles.LoadWeightsFile(path);
        int classes = ModelPartFiles.Classes(state, "classifier.weight", path, labelValues);

        var model = new RecurrentAttentionNetwork(options, shape, classes, new Random(0)); // every weight is overwritten; scoring draws nothing
        ModelPartFiles.LoadChecked(model, state, Path.GetFileName(path), detail => new InvalidDataException($"The weights file {detail} (the architecture the options describe, images {shape})."));
        return new RecurrentAttentionTransformer(model, labelValues?.ToArray());
    }

    /// <summary>Refused: ML.NET's model format has no public way to write an external transformer.</summary>
    /// <exception cref="NotSupportedException">Always; use <c>mlContext.Model.SaveWithAttention</c>.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "A RecurrentAttentionTransformer cannot be saved with mlContext.Model.Save, which only writes ML.NET's own transformers. " +
            "Save the whole model with mlContext.Model.SaveWithAttention(model, inputSchema, path) and load it with mlContext.Model.LoadWithAttention(path, out schema).");

    /// <summary>Scores one image without a tape, in a tensor scope (glimpses at the policy's mean).</summary>
    internal RecurrentAttentionScores Score(float[] pixels) => Score([pixels])[0];

    /// <summary>Scores images (planar, each of <see cref="Shape"/>) in one forward pass without a tape, glimpses at the policy's mean.</summary>
    internal RecurrentAttentionScores[] Score(IReadOnlyList<float[]> images)
    {
        ImageShape s = Shape;
        int n = images.Count;
        using TensorScope scope = TensorScope.Begin();
        using (GradMode.NoGrad())
        {
            Tensor x = Tensor.Empty(n, s.Channels, s.Height, s.Width);
            for (int i = 0; i < n; i++)
            {
                images[i].CopyTo(x.AsSpan().Slice(i * s.Size, s.Size));
            }

            RecurrentAttentionResult r = Model.Forward(x, sample: false);
            float[] probabilities = r.Logits.Softmax(-1).ToArray();
            int classes = probabilities.Length / n, locations = r.Locations.Length / n;
            var scores = new RecurrentAttentionScores[n];
            for (int i = 0; i < n; i++)
            {
                float[] p = probabilities[(i * classes)..((i + 1) * classes)];
                scores[i] = new RecurrentAttentionScores(p, (uint)Array.IndexOf(p, p.Max()) + 1, r.Locations[(i * locations)..((i + 1) * locations)]);
            }

            return scores;
        }
    }

    /// <summary>The pixel column, checked against the network's layout.</summary>
    internal DataViewSchema.Column CheckInput(DataViewSchema schema) =>
        ImagePixelReader.TrainedColumn(schema, Options.FeatureColumnName, Options.Shape, Shape, "RecurrentAttention");
}
