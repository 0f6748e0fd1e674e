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
    /// A one-layer bidirectional GRU or LSTM over x [N, T, F] with <paramref name="lengths"/> [N]: the PyTorch gate blocks
    /// reordered to ONNX's (GRU r,z,n → z,r,h with <c>linear_before_reset</c>, as PyTorch's new gate; LSTM i,f,g,o → i,o,f,c),
    /// the output [N, T, 2H] (0 past each sequence's length) and each direction's last state [N, 2H] (forward at the last
    /// step of the sequence, reverse at its first), forward then reverse.
    /// </summary>
    public static (string Output, string Final) Bidirectional(OnnxGraphBuilder g, string name, RecurrentLayer layer, string x, string lengths)
    {
        if (layer.NumLayers != 1 || !layer.Bidirectional)
        {
            throw new NotSupportedException($"ONNX export: {name} has {layer.NumLayers} layers (bidirectional: {layer.Bidirectional}); one bidirectional layer is exported.");
        }

        bool lstm = layer is Lstm;
        int h = layer.HiddenSize, f = layer.InputSize, gates = lstm ? 4 : 3;
        int[] order = lstm ? [0, 3, 1, 2] : [1, 0, 2];
        IReadOnlyDictionary<string, Tensor> p = layer.StateDict();
        float[] w = new float[2 * gates * h * f], r = new float[2 * gates * h * h], b = new float[2 * 2 * gates * h];
        for (int dir = 0; dir < 2; dir++)
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
        string[] inputs = [steps, g.Weight($"{name}.W", w, 2, gates * h, f), g.Weight($"{name}.R", r, 2, gates * h, h), g.Weight($"{name}.B", b, 2, 2 * gates * h), lengths];
        OnnxAttribute[] attributes = lstm
            ? [OnnxAttribute.Int("hidden_size", h), OnnxAttribute.String("direction", "bidirectional")]
            : [OnnxAttribute.Int("hidden_size", h), OnnxAttribute.String("direction", "bidirectional"), OnnxAttribute.Int("linear_before_reset", 1)];
        string[] outputs = g.Ops(lstm ? "LSTM" : "GRU", inputs, 2, attributes);

        // Y [T, 2, N, H] → [N, T, 2, H] → [N, T, 2H]; Y_h [2, N, H] → [N, 2, H] → [N, 2H].
        string y = g.Op("Transpose", [outputs[0]], OnnxAttribute.Ints("perm", 2, 0, 1, 3));
        string final = g.Op("Transpose", [outputs[1]], OnnxAttribute.Ints("perm", 1, 0, 2));
        return (g.Op("Reshape", [y, g.Int64s(0, 0, 2 * h)]), g.Op("Reshape", [final, g.Int64s(0, 2 * h)]));
    }
}
