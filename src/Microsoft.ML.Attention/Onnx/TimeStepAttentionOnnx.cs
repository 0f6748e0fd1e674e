using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Nn;

namespace Microsoft.ML.Attention.Onnx;

/// <summary>
/// Writes a fitted <see cref="TimeStepAttentionModel"/> as an ONNX graph (opset 17, standard operators) computing what
/// its evaluation-mode forward pass computes: the rows' values read as steps, the GRU/LSTM over them (one direction or
/// both, as ONNX <c>GRU</c>/<c>LSTM</c>), attention pooling over the steps and the head. Input: the feature vector
/// <c>[batch, steps·stepSize]</c>, as the feature column holds it. Outputs: <c>Score</c> — the class probabilities
/// <c>[batch, classes]</c>, or for regression the value <c>[batch, 1]</c> — and the step weights <c>[batch, steps]</c>.
/// </summary>
internal static class TimeStepAttentionOnnx
{
    /// <summary>The graph as <c>ModelProto</c> bytes.</summary>
    public static byte[] Export(TimeStepAttentionModel model, int steps, string inputName, string scoreName, string weightsName)
    {
        ArgumentNullException.ThrowIfNull(model);
        TimeStepAttentionOptions options = model.Options;
        int size = options.StepSize, d = (options.Bidirectional ? 2 : 1) * options.HiddenSize, outputs = model.Outputs;
        var g = new OnnxGraphBuilder("time_step_attention");
        string features = g.Input(inputName, OnnxDataType.Float, ["batch", steps * size], $"{steps} steps of {size} values, step after step.");
        string x = g.Op("Reshape", [features, g.Int64s(-1, steps, size)]);
        string states = OnnxRecurrent.Layer(g, "recurrent", model.Recurrent, x, lengths: null).Output;
        (string pooled, string weights) = OnnxAttentionPooling.Pool(g, "attention", model.Attention, states, padding: null, d);
        Linear head = model.Head;
        string scores = g.Linear(pooled, "head", head.Weight.AsSpan(), outputs, d, head.Bias is null ? [] : head.Bias.AsSpan());
        bool regression = outputs == 1;
        g.Output(regression ? scores : g.Op("Softmax", [scores], OnnxAttribute.Int("axis", -1)), scoreName, OnnxDataType.Float, ["batch", outputs],
            regression ? "The predicted value." : "The class probabilities (softmax of the head's logits).");
        g.Output(weights, weightsName, OnnxDataType.Float, ["batch", steps], "The attention weight of each step.");
        string doc = $"TimeStepAttention: {steps} steps of {size}, {options.Cell} {options.HiddenSize}{(options.Bidirectional ? "×2" : "")}, " +
            (regression ? "regression." : $"{outputs} classes.");
        return g.ToModel(typeof(TimeStepAttentionOnnx).Assembly.GetName().Version?.ToString() ?? "0", doc);
    }
}
