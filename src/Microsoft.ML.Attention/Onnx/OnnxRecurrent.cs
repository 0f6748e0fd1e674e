using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Onnx;

/// <summary>The pack's recurrent layers as ONNX <c>GRU</c>/<c>LSTM</c> nodes (opset 17), with PyTorch's gate order mapped to ONNX's.</summary>
internal static class OnnxRecurrent
{
    /// <summary>max(lengths, 1) as the int32 <c>sequence_lens</c> of ONNX's recurrent operators.</summary>
    public static string AtLeastOne(OnnxGraphBuilder g, string lengths) =>
        g.Op("Cast", [g.Op("Max", [lengths, g.Int64(1)])], OnnxAttribute.Int("to", (long)OnnxDataType.Int32));

    /// <summary>
    /// A one-layer GRU or LSTM (one direction or both) over x [N, T, F], each sequence <paramref name="lengths"/> [N] long
    /// (int32; null: all T): the PyTorch gate blocks reordered to ONNX's (GRU r,z,n → z,r,h with <c>linear_before_reset</c>,
    /// as PyTorch's new gate; LSTM i,f,g,o → i,o,f,c), the output [N, T, D·H] (0 past each sequence's length) and each
    /// direction's last state [N, D·H] (forward at the last step of the sequence, reverse at its first), forward then reverse.
    /// </summary>
    public static (string Output, string Final) Layer(OnnxGraphBuilder g, string name, RecurrentLayer layer, string x, string? lengths)
    {
        if (layer.NumLayers != 1)
        {
            throw new NotSupportedException($"ONNX export: {name} has {layer.NumLayers} layers; one layer is exported.");
        }

        bool lstm = layer is Lstm;
        int h = layer.HiddenSize, f = layer.InputSize, gates = lstm ? 4 : 3, directions = layer.Bidirectional ? 2 : 1;
        int[] order = lstm ? [0, 3, 1, 2] : [1, 0, 2];
        IReadOnlyDictionary<string, Tensor> p = layer.StateDict();
        float[] w = new float[directions * gates * h * f], r = new float[directions * gates * h * h], b = new float[directions * 2 * gates * h];
        for (int dir = 0; dir < directions; dir++)
        {
            string suffix = dir == 0 ? "_l0" : "_l0_reverse";
            ReadOnlySpan<float> wih = p["weight_ih" + suffix].AsSpan(), whh = p["weight_hh" + suffix].AsSpan();
            ReadOnlySpan<float> bih = p["bias_ih" + suffix].AsSpan(), bhh = p["bias_hh" + suffix].AsSpan();
            for (int k = 0; k < gates; k++)
            {
                int src = order[k];
                wih.Slice(src * h * f, h * f).CopyTo(w.AsSpan((dir * gates + k) * h * f, h * f));
                whh.Slice(src * h * h, h * h).CopyTo(r.AsSpan((dir * gates + k) * h * h, h * h));
                bih.Slice(src * h, h).CopyTo(b.AsSpan((dir * 2 * gates + k) * h, h));
                bhh.Slice(src * h, h).CopyTo(b.AsSpan((dir * 2 * gates + gates + k) * h, h));
            }
        }

        string steps = g.Op("Transpose", [x], OnnxAttribute.Ints("perm", 1, 0, 2));
        string[] inputs = [steps, g.Weight($"{name}.W", w, directions, gates * h, f), g.Weight($"{name}.R", r, directions, gates * h, h),
            g.Weight($"{name}.B", b, directions, 2 * gates * h), lengths ?? ""];
        string direction = directions == 2 ? "bidirectional" : "forward";
        OnnxAttribute[] attributes = lstm
            ? [OnnxAttribute.Int("hidden_size", h), OnnxAttribute.String("direction", direction)]
            : [OnnxAttribute.Int("hidden_size", h), OnnxAttribute.String("direction", direction), OnnxAttribute.Int("linear_before_reset", 1)];
        string[] outputs = g.Ops(lstm ? "LSTM" : "GRU", inputs, 2, attributes);

        // Y [T, D, N, H] → [N, T, D, H] → [N, T, D·H]; Y_h [D, N, H] → [N, D, H] → [N, D·H].
        string y = g.Op("Transpose", [outputs[0]], OnnxAttribute.Ints("perm", 2, 0, 1, 3));
        string final = g.Op("Transpose", [outputs[1]], OnnxAttribute.Ints("perm", 1, 0, 2));
        return (g.Op("Reshape", [y, g.Int64s(0, 0, directions * h)]), g.Op("Reshape", [final, g.Int64s(0, directions * h)]));
    }
}
