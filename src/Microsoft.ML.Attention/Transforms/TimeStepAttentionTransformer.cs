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
    internal TimeStepAttentionTransformer(TimeStepAttentionModel model, int steps, string[]? labelValues, TimeStepAttentionOptions? options = null)
    {
        Model = model;
        Options = options ?? model.Options;
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

    /// <summary>Rows <c>Transform</c> scores in one forward pass (<see cref="TimeStepAttentionOptions.ScoringBatchSize"/>).</summary>
    public int ScoringBatchSize => Options.ScoringBatchSize;

    /// <summary>The same model scoring <paramref name="rows"/> rows per forward pass (1 = row by row); the weights are shared.</summary>
    /// <param name="rows">Rows per forward pass; positive.</param>
    /// <returns>A transformer that differs from this one only in its scoring batch size.</returns>
    public TimeStepAttentionTransformer WithScoringBatchSize(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        TimeStepAttentionOptions options = Options.Clone();
        options.ScoringBatchSize = rows;
        return new TimeStepAttentionTransformer(Model, Steps, LabelValues, options);
    }

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
        return new BatchedDataView<TimeStepAttentionScores>(input, new TimeStepAttentionMapper(this, input.Schema));
    }

    /// <summary>Refused: ML.NET's model format has no public way to write an external transformer.</summary>
    /// <exception cref="NotSupportedException">Always; use <c>mlContext.Model.SaveWithAttention</c>.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "A TimeStepAttentionTransformer cannot be saved with mlContext.Model.Save, which only writes ML.NET's own transformers. " +
            "Save the whole model with mlContext.Model.SaveWithAttention(model, inputSchema, path) and load it with mlContext.Model.LoadWithAttention(path, out schema).");

    /// <summary>Scores one row's steps without a tape, in a tensor scope.</summary>
    internal TimeStepAttentionScores Score(float[] vector) => Score([vector])[0];

    /// <summary>Scores rows (each Steps × StepSize values) in one forward pass without a tape.</summary>
    internal TimeStepAttentionScores[] Score(IReadOnlyList<float[]> vectors)
    {
        int n = vectors.Count, size = Steps * Options.StepSize;
        using TensorScope scope = TensorScope.Begin();
        using (GradMode.NoGrad())
        {
            Tensor x = Tensor.Empty(n, Steps, Options.StepSize);
            for (int i = 0; i < n; i++)
            {
                vectors[i].CopyTo(x.AsSpan().Slice(i * size, size));
            }

            AttentionResult r = Model.Forward(x);
            float[] weights = r.Weights!.ToArray(), outputs = Regression ? r.Output.ToArray() : r.Output.Softmax(-1).ToArray();
            int width = outputs.Length / n;
            var scores = new TimeStepAttentionScores[n];
            for (int i = 0; i < n; i++)
            {
                float[] o = outputs[(i * width)..((i + 1) * width)], w = weights[(i * Steps)..((i + 1) * Steps)];
                scores[i] = Regression ? new TimeStepAttentionScores(o, 0, w) : new TimeStepAttentionScores(o, (uint)Array.IndexOf(o, o.Max()) + 1, w);
            }

            return scores;
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
