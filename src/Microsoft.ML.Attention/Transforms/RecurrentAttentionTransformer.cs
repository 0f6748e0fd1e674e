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
