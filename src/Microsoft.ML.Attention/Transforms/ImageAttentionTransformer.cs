using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// The fitted image attention estimator. As a classifier it scores each image into <c>Score</c> (class
/// probabilities) and <c>PredictedLabel</c> (a key with the training label's values); as a featurizer it writes the
/// network's embedding for a standard ML.NET trainer to follow. On request either writes the last stage's spatial map,
/// and <see cref="RenderHeatmap"/> draws that map over the image.
/// </summary>
/// <remarks>
/// Save it with <c>mlContext.Model.SaveWithAttention</c>: ML.NET's own <c>Model.Save</c> cannot write an external
/// transformer and is refused with a message that says so.
/// </remarks>
public sealed class ImageAttentionTransformer : ITransformer
{
    internal ImageAttentionTransformer(ImageAttentionNetwork model, string[]? labelValues, bool featurizer, ImageAttentionOptions? options = null)
    {
        Model = model;
        Options = options ?? model.Options;
        LabelValues = labelValues;
        Featurizer = featurizer;
        model.Eval();
    }

    /// <summary>
    /// The epochs of the <c>Fit</c> that made this transformer (training and validation loss per epoch, those before a
    /// resumed checkpoint included), e.g. to draw a training curve; empty for a transformer loaded from a file or weights.
    /// </summary>
    public IReadOnlyList<EpochReport> TrainingHistory { get; internal init; } = [];

    /// <summary>True when the transformer writes the embedding (featurizer); false when it writes Score and PredictedLabel.</summary>
    public bool Featurizer { get; }

    /// <summary>Classes the network was trained on.</summary>
    public int Classes => Model.Classes;

    /// <summary>The image layout the network reads (channels × height × width).</summary>
    public ImageShape Shape => Model.Shape;

    /// <summary>Rows and columns of the spatial map.</summary>
    public (int Height, int Width) MapSize => (Model.MapHeight, Model.MapWidth);

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <summary>Images <c>Transform</c> scores in one forward pass (<see cref="ImageAttentionOptions.ScoringBatchSize"/>).</summary>
    public int ScoringBatchSize => Options.ScoringBatchSize;

    /// <summary>The same network scoring <paramref name="images"/> images per forward pass (1 = one by one); the weights are shared.</summary>
    /// <param name="images">Images per forward pass; positive.</param>
    /// <returns>A transformer that differs from this one only in its scoring batch size.</returns>
    public ImageAttentionTransformer WithScoringBatchSize(int images)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(images);
        ImageAttentionOptions options = Options.Clone();
        options.ScoringBatchSize = images;
        return new ImageAttentionTransformer(Model, LabelValues, Featurizer, options) { TrainingHistory = TrainingHistory };
    }

    internal ImageAttentionOptions Options { get; }

    internal ImageAttentionNetwork Model { get; }

    /// <summary>The training label's key values (class k at index k − 1), or null when it had none.</summary>
    internal string[]? LabelValues { get; }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new ImageAttentionMapper(this, inputSchema).OutputSchema;
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new ImageAttentionMapper(this, inputSchema);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new BatchedDataView<ImageAttentionScores>(input, new ImageAttentionMapper(this, input.Schema));
    }

    /// <summary>
    /// Writes the fitted network to <paramref name="destination"/> as an ONNX model (opset 17, standard operators) that
    /// ONNX Runtime or ML.NET's <c>ApplyOnnxModel</c> scores without the pack. Input: the pixel column's planar floats,
    /// named like it, <c>[batch, C·H·W]</c>. Outputs, named like this transformer's columns: the classifier's
    /// <c>Score</c> (class probabilities; <c>PredictedLabel</c> is their argmax + 1 as a key) or the featurizer's
    /// embedding, and the attention map when the transformer writes one. A spatial transformer in front is exported too
    /// (its localization network, the affine grid and ONNX <c>GridSample</c>).
    /// </summary>
    /// <param name="destination">A writable stream; it is left open.</param>
    /// <param name="inputSchema">The schema the transformer scores (its pixel column is checked).</param>
    /// <param name="form">Batched for ONNX Runtime (default), or one ML.NET row (outputs without the batch dimension).</param>
    public void ExportToOnnx(Stream destination, DataViewSchema inputSchema, Onnx.OnnxExportForm form = Onnx.OnnxExportForm.Batched)
    {
        OnnxDestination.Check(destination, "ExportToOnnx");
        ArgumentNullException.ThrowIfNull(inputSchema);

        CheckInput(inputSchema);
        destination.Write(Onnx.ImageAttentionOnnx.Export(Model, form, Options.FeatureColumnName,
            Featurizer ? null : ImageAttentionEstimator.ScoreColumnName, Featurizer ? Options.EmbeddingColumnName : null, Options.AttentionMapColumnName));
    }

    /// <summary>The <c>architecture</c> metadata of <see cref="SaveWeights"/> files.</summary>
    public const string WeightsArchitecture = "microsoft-ml-attention/image-attention/1";

    /// <summary>
    /// Writes the network's weights to a safetensors file under PyTorch's <c>state_dict</c> names — <c>input_mean</c>,
    /// <c>input_std</c>, <c>stn.*</c>, <c>stages.{i}.convs.{j}.conv.weight</c>, <c>stages.{i}.convs.{j}.bn.*</c> (with
    /// <c>num_batches_tracked</c>, written as 0), <c>stages.{i}.attention.*</c> (timm's SE / ECA / CBAM names),
    /// <c>embedding.*</c>, <c>classifier.*</c> — so that the PyTorch module of <c>build/pytorch/image_attention.py</c>
    /// takes them with <c>load_state_dict(strict=True)</c>. The metadata holds the architecture (image layout, attention
    /// block, stages, pooling, sizes, classes); the label values are not in the file. The write is atomic.
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
            ["attention"] = Options.Attention switch
            {
                ImageAttentionKind.SqueezeExcite => "se",
                ImageAttentionKind.EfficientChannel => "eca",
                ImageAttentionKind.Cbam => "cbam",
                _ => "none",
            },
            ["spatial_transformer"] = Options.SpatialTransformer ? "true" : "false",
            ["stage_channels"] = string.Join(',', Options.StageChannels.Select(Number)),
            ["convolutions_per_stage"] = Number(Options.ConvolutionsPerStage),
            ["pooling"] = Options.Pooling == ImagePooling.Flatten ? "flatten" : "average",
            ["embedding_dimension"] = Number(Options.EmbeddingDimension),
            ["classes"] = Number(Classes),
        }, batchCounts: true);
    }

    /// <summary>
    /// A transformer scoring with weights from a safetensors file — one written by <see cref="SaveWeights"/>, or by PyTorch
    /// for the module of <c>build/pytorch/image_attention.py</c> (its <c>num_batches_tracked</c> entries are not kept) —
    /// for the architecture <paramref name="options"/> describe (attention block, spatial transformer, stages, pooling,
    /// embedding; the columns apply as in a <c>Fit</c>) and images of <paramref name="shape"/>. The classes are read from
    /// <c>classifier.weight</c>; the input standardization comes from the file's <c>input_mean</c> and <c>input_std</c>.
    /// </summary>
    /// <param name="options">The architecture and the columns; validated.</param>
    /// <param name="shape">The planar image layout the network reads.</param>
    /// <param name="path">The safetensors file.</param>
    /// <param name="featurizer">True for a featurizer (writes the embedding); false for a classifier (Score, PredictedLabel).</param>
    /// <param name="labelValues">For a classifier, the label's values by class (class k is value k − 1), or null for a key without values.</param>
    /// <exception cref="InvalidDataException">The file is not safetensors, misses a tensor, has one of another shape or non-finite values; the message names the file and the tensor.</exception>
    public static ImageAttentionTransformer FromWeights(ImageAttentionOptions options, ImageShape shape, string path, bool featurizer = false, IReadOnlyList<string>? labelValues = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Clone();
        options.Validate();
        if (shape.Channels <= 0 || shape.Height <= 0 || shape.Width <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(shape), $"FromWeights: the image layout {shape} is not positive.");
        }

        options.CheckFits(shape, options.FeatureColumnName);
        Dictionary<string, Tensor> state = ModelPartFiles.WithoutBatchCounts(ModelPartFiles.LoadWeightsFile(path));
        if (featurizer && labelValues is not null)
        {
            throw new ArgumentException("FromWeights: a featurizer has no label values.", nameof(labelValues));
        }

        int classes = ModelPartFiles.Classes(state, "classifier.weight", path, labelValues);

        var model = new ImageAttentionNetwork(options, shape, classes, new Random(0)); // every weight is overwritten below
        ModelPartFiles.LoadChecked(model, state, Path.GetFileName(path), detail => new InvalidDataException($"The weights file {detail} (the architecture the options describe, images {shape})."));
        return new ImageAttentionTransformer(model, labelValues?.ToArray(), featurizer);
    }

    /// <summary>The pixel column's name.</summary>
    public string FeatureColumnName => Options.FeatureColumnName;

    /// <summary>The featurizer's embedding column's name.</summary>
    public string EmbeddingColumnName => Options.EmbeddingColumnName;

    /// <summary>The attention-map column's name, or null when the transformer writes none.</summary>
    public string? AttentionMapColumnName => Options.AttentionMapColumnName;

    /// <summary>Refused: ML.NET's model format has no public way to write an external transformer.</summary>
    /// <exception cref="NotSupportedException">Always; use <c>mlContext.Model.SaveWithAttention</c>.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "An ImageAttentionTransformer cannot be saved with mlContext.Model.Save, which only writes ML.NET's own transformers. " +
            "Save the whole model with mlContext.Model.SaveWithAttention(model, inputSchema, path) and load it with mlContext.Model.LoadWithAttention(path, out schema).");

    /// <summary>
    /// One image's spatial map drawn over it as a PNG: the image (grey or R, G, B, contrast-stretched) blended with the map
    /// in a blue-to-red scale, enlarged so that its longer side is at least 256 pixels.
    /// </summary>
    /// <param name="pixels">The image as the pixel column holds it: planar, <see cref="Shape"/>.Size values.</param>
    /// <exception cref="ArgumentException">The pixels do not fit <see cref="Shape"/> or are not finite.</exception>
    public byte[] RenderHeatmap(ReadOnlySpan<float> pixels)
    {
        float[] image = CheckPixels(pixels);
        ImageAttentionScores scores = Score(image, wantMap: true);
        return AttentionHeatmap.Render(image, Shape, scores.Map!, Model.MapHeight, Model.MapWidth);
    }

    /// <summary>Writes <see cref="RenderHeatmap"/>'s PNG to <paramref name="path"/> (atomically: a temporary file, then a move).</summary>
    public void SaveHeatmap(ReadOnlySpan<float> pixels, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.WriteAllBytes(path, RenderHeatmap(pixels));
    }

    /// <summary>Scores one image without a tape, in a tensor scope.</summary>
    internal ImageAttentionScores Score(float[] pixels, bool wantMap) => Score([pixels], wantMap)[0];

    /// <summary>Scores images (planar, each of <see cref="Shape"/>) in one forward pass without a tape.</summary>
    internal ImageAttentionScores[] Score(IReadOnlyList<float[]> images, bool wantMap)
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

            ImageAttentionResult r = Model.Forward(x, wantMap);
            float[] probabilities = r.Logits.Softmax(-1).ToArray(), embedding = r.Embedding.ToArray();
            float[]? map = r.AttentionMap?.ToArray();
            int classes = probabilities.Length / n, width = embedding.Length / n, mapSize = map is null ? 0 : map.Length / n;
            var scores = new ImageAttentionScores[n];
            for (int i = 0; i < n; i++)
            {
                float[] p = probabilities[(i * classes)..((i + 1) * classes)];
                uint predicted = (uint)Array.IndexOf(p, p.Max()) + 1;
                scores[i] = new ImageAttentionScores(p, predicted, embedding[(i * width)..((i + 1) * width)], map?[(i * mapSize)..((i + 1) * mapSize)]);
            }

            return scores;
        }
    }

    /// <summary>The pixel column, checked against the network's layout.</summary>
    internal DataViewSchema.Column CheckInput(DataViewSchema schema) =>
        ImagePixelReader.TrainedColumn(schema, Options.FeatureColumnName, Options.Shape, Shape, "ImageAttention");

    private float[] CheckPixels(ReadOnlySpan<float> pixels)
    {
        if (pixels.Length != Shape.Size)
        {
            throw new ArgumentException($"ImageAttention: an image of {Shape} (channels × height × width) has {Shape.Size} values; got {pixels.Length}.", nameof(pixels));
        }

        return ImagePixelReader.NonFinite(pixels, Shape) is { } where
            ? throw new ArgumentException($"ImageAttention: the image has {where}; pixels must be finite.", nameof(pixels))
            : pixels.ToArray();
    }
}
