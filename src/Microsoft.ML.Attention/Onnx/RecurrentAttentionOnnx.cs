using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Nn;

namespace Microsoft.ML.Attention.Onnx;

/// <summary>
/// Writes a fitted <see cref="RecurrentAttentionNetwork"/> as an ONNX graph (opset 17, standard operators) computing what
/// it computes when scoring (each glimpse at the location policy's mean): the input standardization, then for every
/// glimpse the multi-resolution sensor — each scale's square patch read pixel by pixel with <c>GridSample</c>
/// (nearest, zeros outside the image) at the integer offset the location gives, average-pooled to the patch size — the
/// glimpse network, the recurrent core and the next location, unrolled over the glimpses; then the classifier. Input:
/// planar pixels <c>[batch, C·H·W]</c>. Outputs: <c>Score</c> (class probabilities) and the glimpse locations
/// <c>[batch, 2·glimpses]</c> ((x, y) per glimpse, in [−1, 1]).
/// </summary>
internal static class RecurrentAttentionOnnx
{
    /// <summary>The graph as <c>ModelProto</c> bytes.</summary>
    public static byte[] Export(RecurrentAttentionNetwork network, string inputName, string scoreName, string locationsName)
    {
        ArgumentNullException.ThrowIfNull(network);
        RecurrentAttentionOptions options = network.Options;
        ImageShape shape = network.Shape;
        int c = shape.Channels, h = shape.Height, w = shape.Width, steps = options.Glimpses, hidden = options.HiddenSize;
        var g = new OnnxGraphBuilder("recurrent_attention");
        string pixels = g.Input(inputName, OnnxDataType.Float, ["batch", shape.Size], $"Planar pixels, {c} × {h} × {w}, as ExtractPixels writes them.");
        string images = g.Op("Reshape", [pixels, g.Int64s(-1, c, h, w)]);
        images = g.Op("Div", [g.Op("Sub", [images, g.Weight("input_mean", network.InputMean.AsSpan(), 1, c, 1, 1)]), g.Weight("input_std", network.InputStd.AsSpan(), 1, c, 1, 1)]);
        string batch = g.Op("Slice", [g.Op("Shape", [pixels]), g.Int64s(0), g.Int64s(1), g.Int64s(0)]);
        string Zeros(int width) => g.Op("ConstantOfShape", [g.Op("Concat", [batch, g.Int64s(width)], OnnxAttribute.Int("axis", 0))]);
        string Linear(string x, string name, Linear layer) => g.Linear(x, name, layer.Weight.AsSpan(), layer.OutFeatures, layer.InFeatures, layer.Bias is null ? [] : layer.Bias.AsSpan());

        string location = Zeros(2), state = Zeros(hidden);
        var locations = new List<string>();
        for (int t = 0; t < steps; t++)
        {
            locations.Add(location);
            string glimpse = Sensor(g, network.Sensor, images, location, c, h, w);
            string what = Linear(g.Op("Relu", [Linear(glimpse, "glimpse_what", network.GlimpseWhat)]), "glimpse_what_out", network.GlimpseWhatOut);
            string where = Linear(g.Op("Relu", [Linear(location, "glimpse_where", network.GlimpseWhere)]), "glimpse_where_out", network.GlimpseWhereOut);
            string input = g.Op("Relu", [g.Op("Add", [what, where])]);
            state = g.Op("Relu", [g.Op("Add", [Linear(input, "core_input", network.CoreInput), Linear(state, "core_hidden", network.CoreHidden)])]);
            if (t < steps - 1)
            {
                location = g.Op("Tanh", [Linear(state, "location", network.Location)]);
            }
        }

        string scores = g.Op("Softmax", [Linear(state, "classifier", network.Classifier)], OnnxAttribute.Int("axis", -1));
        g.Output(scores, scoreName, OnnxDataType.Float, ["batch", network.Classes], "Class probabilities (softmax of the logits).");
        g.Output(g.Op("Concat", [.. locations], OnnxAttribute.Int("axis", 1)), locationsName, OnnxDataType.Float, ["batch", 2 * steps], "Each glimpse's centre (x, y) in [-1, 1].");
        string doc = $"RecurrentAttention: {c}×{h}×{w} pixels, {steps} glimpses of {options.Scales} scales × {options.PatchSize}², {network.Classes} classes.";
        return g.ToModel(typeof(RecurrentAttentionOnnx).Assembly.GetName().Version?.ToString() ?? "0", doc);
    }

    /// <summary>
    /// The glimpse [N, scales·C·g·g] at <paramref name="location"/> [N, 2]: the centre (⌊(x+1)·W/2⌋, ⌊(y+1)·H/2⌋), each
    /// scale's size×size patch from (centre − size/2) read at whole pixels (nearest sampling of exact pixel centres, zeros
    /// outside), averaged over (size/g)² blocks.
    /// </summary>
    private static string Sensor(OnnxGraphBuilder g, GlimpseSensor sensor, string images, string location, int c, int h, int w)
    {
        int patch = sensor.PatchSize;
        string clipped = g.Op("Clip", [location, g.Float(-1f), g.Float(1f)]);
        string half = g.Op("Mul", [g.Op("Add", [clipped, g.Float(1f)]), g.Weight("sensor.half_size", [0.5f * w, 0.5f * h], 1, 2)]);
        string centre = g.Op("Floor", [half]); // [N, 2]: column, row
        var scales = new List<string>();
        int size = patch;
        for (int s = 0; s < sensor.Scales; s++)
        {
            // Pixel (row i, column j) of the patch is image pixel (centre − size/2) + (i, j); for GridSample (align_corners = 0)
            // that pixel's centre is at (2·p + 1) / extent − 1.
            float[] offsets = new float[size * size * 2];
            for (int i = 0; i < size; i++)
            {
                for (int j = 0; j < size; j++)
                {
                    offsets[(i * size + j) * 2] = j - size / 2;
                    offsets[(i * size + j) * 2 + 1] = i - size / 2;
                }
            }

            string position = g.Op("Add", [g.Op("Reshape", [centre, g.Int64s(-1, 1, 1, 2)]), g.Weight($"sensor.offsets_{size}", offsets, 1, size, size, 2)]);
            string grid = g.Op("Sub", [g.Op("Div", [g.Op("Add", [g.Op("Mul", [position, g.Float(2f)]), g.Float(1f)]), g.Weight("sensor.extent", [w, h], 1, 1, 1, 2)]), g.Float(1f)]);
            string read = g.Op("GridSample", [images, grid], OnnxAttribute.String("mode", "nearest"), OnnxAttribute.String("padding_mode", "zeros"), OnnxAttribute.Int("align_corners", 0));
            int block = size / patch;
            scales.Add(block == 1 ? read : g.Op("AveragePool", [read], OnnxAttribute.Ints("kernel_shape", block, block), OnnxAttribute.Ints("strides", block, block)));
            size *= sensor.ScaleFactor;
        }

        string all = scales.Count == 1 ? scales[0] : g.Op("Concat", [.. scales], OnnxAttribute.Int("axis", 1));
        return g.Op("Reshape", [all, g.Int64s(-1, sensor.GlimpseSize(c))]);
    }
}
