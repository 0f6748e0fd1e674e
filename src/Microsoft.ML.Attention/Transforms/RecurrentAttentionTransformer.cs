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
    internal RecurrentAttentionTransformer(RecurrentAttentionNetwork model, string[]? labelValues)
    {
        Model = model;
        Options = model.Options;
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
        return new RowMapperDataView(input, new RecurrentAttentionMapper(this, input.Schema));
    }

    /// <summary>Refused: ML.NET's model format has no public way to write an external transformer.</summary>
    /// <exception cref="NotSupportedException">Always; use <c>mlContext.Model.SaveWithAttention</c>.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "A RecurrentAttentionTransformer cannot be saved with mlContext.Model.Save, which only writes ML.NET's own transformers. " +
            "Save the whole model with mlContext.Model.SaveWithAttention(model, inputSchema, path) and load it with mlContext.Model.LoadWithAttention(path, out schema).");

    /// <summary>Scores one image without a tape, in a tensor scope (glimpses at the policy's mean).</summary>
    internal RecurrentAttentionScores Score(float[] pixels)
    {
        ImageShape s = Shape;
        using TensorScope scope = TensorScope.Begin();
        using (GradMode.NoGrad())
        {
            RecurrentAttentionResult r = Model.Forward(Tensor.FromArray(pixels, 1, s.Channels, s.Height, s.Width), sample: false);
            float[] probabilities = r.Logits.Softmax(-1).ToArray();
            uint predicted = (uint)Array.IndexOf(probabilities, probabilities.Max()) + 1;
            return new RecurrentAttentionScores(probabilities, predicted, r.Locations);
        }
    }

    /// <summary>The pixel column, checked against the network's layout.</summary>
    internal DataViewSchema.Column CheckInput(DataViewSchema schema) =>
        ImagePixelReader.TrainedColumn(schema, Options.FeatureColumnName, Options.Shape, Shape, "RecurrentAttention");
}
