using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// The fitted time-step attention model: scores each row's steps into <c>Score</c> (class probabilities and
/// <c>PredictedLabel</c>, or the regression value) and, on request, the attention weight of every step.
/// </summary>
/// <remarks>Save it with <c>mlContext.Model.SaveWithAttention</c>; ML.NET's own <c>Model.Save</c> is refused with a message that says so.</remarks>
public sealed class TimeStepAttentionTransformer : ITransformer
{
    internal TimeStepAttentionTransformer(TimeStepAttentionModel model, int steps, string[]? labelValues)
    {
        Model = model;
        Options = model.Options;
        Steps = steps;
        LabelValues = labelValues;
        model.Eval();
    }

    /// <summary>Steps per row.</summary>
    public int Steps { get; }

    /// <summary>True for regression (one <c>Score</c>), false for classification.</summary>
    public bool Regression => Model.Outputs == 1;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    internal TimeStepAttentionOptions Options { get; }

    internal TimeStepAttentionModel Model { get; }

    internal string[]? LabelValues { get; }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new TimeStepAttentionMapper(this, inputSchema).OutputSchema;
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new TimeStepAttentionMapper(this, inputSchema);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new RowMapperDataView(input, new TimeStepAttentionMapper(this, input.Schema));
    }

    /// <summary>Refused: ML.NET's model format has no public way to write an external transformer.</summary>
    /// <exception cref="NotSupportedException">Always; use <c>mlContext.Model.SaveWithAttention</c>.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "A TimeStepAttentionTransformer cannot be saved with mlContext.Model.Save, which only writes ML.NET's own transformers. " +
            "Save the whole model with mlContext.Model.SaveWithAttention(model, inputSchema, path) and load it with mlContext.Model.LoadWithAttention(path, out schema).");

    /// <summary>Scores one row's steps without a tape, in a tensor scope.</summary>
    internal TimeStepAttentionScores Score(float[] vector)
    {
        using TensorScope scope = TensorScope.Begin();
        using (GradMode.NoGrad())
        {
            AttentionResult r = Model.Forward(Tensor.FromArray(vector, 1, Steps, Options.StepSize));
            float[] weights = r.Weights!.ToArray();
            if (Regression)
            {
                return new TimeStepAttentionScores(r.Output.ToArray(), 0, weights);
            }

            float[] probabilities = r.Output.Softmax(-1).ToArray();
            return new TimeStepAttentionScores(probabilities, (uint)Array.IndexOf(probabilities, probabilities.Max()) + 1, weights);
        }
    }

    /// <summary>The feature column, checked against the trained step count.</summary>
    internal DataViewSchema.Column CheckInput(DataViewSchema schema)
    {
        DataViewSchema.Column column = TimeStepReader.FeatureColumn(schema, Options);
        int size = ((VectorDataViewType)column.Type).Size;
        return size == Steps * Options.StepSize
            ? column
            : throw new ArgumentOutOfRangeException(nameof(schema), $"{TimeStepAttentionEstimator.Owner}: feature column '{column.Name}' has {size} values; the model was trained on {Steps} steps of {Options.StepSize} = {Steps * Options.StepSize}.");
    }
}
