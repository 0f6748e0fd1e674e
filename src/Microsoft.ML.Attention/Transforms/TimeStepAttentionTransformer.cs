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
    internal TimeStepAttentionTransformer(TimeStepAttentionModel model, string[]? labelValues, TimeStepAttentionOptions? options = null)
    {
        Model = model;
        Options = options ?? model.Options;
        LabelValues = labelValues;
        model.Eval();
    }

    /// <summary>Steps per row.</summary>
    public int Steps => Model.Steps;

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
        return new TimeStepAttentionTransformer(Model, LabelValues, options);
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

    /// <summary>The ONNX output of the step weights when the transformer has no step-attention column.</summary>
    public const string OnnxStepWeightsOutputName = "StepWeights";

    /// <summary>
    /// Writes the fitted network to <paramref name="destination"/> as an ONNX model (opset 17, standard operators: the
    /// recurrent layer as ONNX <c>GRU</c>/<c>LSTM</c>) that ONNX Runtime scores without the pack, rows in batches. Input:
    /// the feature column's values, named like it, <c>[batch, Steps·StepSize]</c>. Outputs: <c>Score</c> (class
    /// probabilities <c>[batch, classes]</c>, or the regression value <c>[batch, 1]</c>) and the step weights
    /// <c>[batch, Steps]</c>, named like the step-attention column (or <see cref="OnnxStepWeightsOutputName"/>): the values
    /// this transformer computes.
    /// </summary>
    /// <remarks>
    /// Not an <c>ApplyOnnxModel</c> chain: ML.NET's ONNX transformer gives vectors only, so neither a scalar regression
    /// <c>Score</c> nor a key <c>PredictedLabel</c> can be rebuilt from this graph inside ML.NET.
    /// </remarks>
    /// <param name="destination">A writable stream; it is left open.</param>
    public void ExportToOnnx(Stream destination)
    {
        OnnxDestination.Check(destination, "ExportToOnnx");
        destination.Write(Onnx.TimeStepAttentionOnnx.Export(Model, Steps, Options.FeatureColumnName, "Score", Options.StepAttentionColumnName ?? OnnxStepWeightsOutputName));
    }

    /// <summary>The <c>architecture</c> metadata of <see cref="SaveWeights"/> files.</summary>
    public const string WeightsArchitecture = "microsoft-ml-attention/time-step-attention/1";

    /// <summary>
    /// Writes the network's weights to a safetensors file under PyTorch's <c>state_dict</c> names (<c>recurrent.*</c> as
    /// <c>nn.LSTM</c>/<c>nn.GRU</c> name them, <c>attention.proj.*</c>, <c>attention.context</c>, <c>head.*</c>), so that
    /// the PyTorch module of <c>build/pytorch/time_step_attention.py</c> takes them with <c>load_state_dict(strict=True)</c>.
    /// The metadata holds the architecture; the label values are not in the file. The write is atomic.
    /// </summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    public void SaveWeights(string path)
    {
        string Number(int v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
        ModelPartFiles.SaveWeightsFile(Model, path, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["architecture"] = WeightsArchitecture,
            ["cell"] = Options.Cell == RecurrentCell.Gru ? "gru" : "lstm",
            ["bidirectional"] = Options.Bidirectional ? "true" : "false",
            ["step_size"] = Number(Options.StepSize),
            ["steps"] = Number(Steps),
            ["hidden_size"] = Number(Options.HiddenSize),
            ["attention_dimension"] = Number(Options.AttentionDimension),
            ["step_bias"] = Options.StepBias ? "true" : "false",
            ["outputs"] = Number(Model.Outputs),
        });
    }

    /// <summary>
    /// A transformer scoring with weights from a safetensors file — one written by <see cref="SaveWeights"/>, or by PyTorch
    /// for the module of <c>build/pytorch/time_step_attention.py</c> — for the architecture <paramref name="options"/>
    /// describe (cell, direction, step size, sizes; the columns apply as in a <c>Fit</c>) and rows of
    /// <paramref name="steps"/> steps. A head of one output is a regressor, of more a classifier.
    /// </summary>
    /// <param name="options">The architecture and the columns; validated.</param>
    /// <param name="steps">Steps per row (the feature vector holds steps × StepSize values).</param>
    /// <param name="path">The safetensors file.</param>
    /// <param name="labelValues">For a classifier, the label's values by class (class k is value k − 1), or null for a key without values.</param>
    /// <exception cref="InvalidDataException">The file is not safetensors, misses a tensor, has one of another shape or non-finite values; the message names the file and the tensor.</exception>
    public static TimeStepAttentionTransformer FromWeights(TimeStepAttentionOptions options, int steps, string path, IReadOnlyList<string>? labelValues = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        options = options.Clone();
        options.Validate();
        Dictionary<string, Tensor> state = ModelPartFiles.LoadWeightsFile(path);
        int outputs = ModelPartFiles.Rows(state, "head.weight", path, "the head");
        if (outputs == 1 && labelValues is not null)
        {
            throw new ArgumentException($"FromWeights: '{path}' is a regressor (one output); it has no label values.", nameof(labelValues));
        }

        ModelPartFiles.CheckLabelValues(labelValues, outputs, path);

        var model = new TimeStepAttentionModel(options, steps, outputs, new Random(0)); // every weight is overwritten below
        ModelPartFiles.LoadChecked(model, state, Path.GetFileName(path), detail => new InvalidDataException($"The weights file {detail} (the architecture the options describe)."));
        return new TimeStepAttentionTransformer(model, labelValues?.ToArray());
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
