using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Onnx;

/// <summary>
/// Writes a fitted <see cref="ImageAttentionNetwork"/> as an ONNX graph (opset 17) computing what its evaluation-mode
/// forward pass computes: the input standardization, each stage's 3×3 convolutions with batch norm (inference
/// statistics) and ReLU, its squeeze-and-excitation, ECA or CBAM block and 2×2 max pooling, global average pooling (or
/// flattening), the embedding and the classifier. Outputs: <c>Score</c> (class probabilities, softmax of the logits,
/// as the transformer's Score column), the embedding, and on request the last stage's map (CBAM's spatial gate, or the
/// channel mean scaled to a peak of 1). A spatial transformer in front is exported with the localization network, the
/// affine grid and <c>GridSample</c> (<see cref="SpatialTransformerOnnx"/>).
/// </summary>
internal static class ImageAttentionOnnx
{
    /// <summary>The graph as <c>ModelProto</c> bytes.</summary>
    /// <param name="network">The fitted network.</param>
    /// <param name="form">Batched (<c>[batch, C·H·W]</c> in, <c>[batch, …]</c> out) or one ML.NET row (outputs without the batch dimension).</param>
    /// <param name="inputName">The pixel input's name (planar floats, as <c>ExtractPixels</c> writes them).</param>
    /// <param name="scoreName">The probabilities output, or null to leave it out (featurizer).</param>
    /// <param name="embeddingName">The embedding output, or null to leave it out.</param>
    /// <param name="mapName">The attention map output, or null to leave it out.</param>
    public static byte[] Export(ImageAttentionNetwork network, OnnxExportForm form, string inputName, string? scoreName, string? embeddingName, string? mapName)
    {
        ArgumentNullException.ThrowIfNull(network);
        ImageShape shape = network.Shape;
        ImageAttentionOptions options = network.Options;
        var g = new OnnxGraphBuilder("image_attention");
        string pixels = g.Input(inputName, OnnxDataType.Float, ["batch", shape.Size], $"Planar pixels, {shape.Channels} × {shape.Height} × {shape.Width}, as ExtractPixels writes them.");
        string x = g.Op("Reshape", [pixels, g.Int64s(-1, shape.Channels, shape.Height, shape.Width)]);
        x = g.Op("Div", [g.Op("Sub", [x, g.Weight("input_mean", network.InputMean.AsSpan(), 1, shape.Channels, 1, 1)]), g.Weight("input_std", network.InputStd.AsSpan(), 1, shape.Channels, 1, 1)]);
        if (network.Transformer is { } stn)
        {
            x = SpatialTransformerOnnx.Export(g, "stn", stn, x, shape.Channels, shape.Height, shape.Width);
        }

        int h = network.Transformer?.OutputHeight ?? shape.Height, w = network.Transformer?.OutputWidth ?? shape.Width, channels = shape.Channels, index = 0;
        string? map = null;
        ImageAttentionStage[] stages = [.. network.Stages];
        foreach (ImageAttentionStage stage in stages)
        {
            string name = $"stages.{index}";
            int conv = 0;
            foreach (ConvBatchNorm block in stage.Convolutions)
            {
                x = ConvBatchNorm(g, $"{name}.convs.{conv++}", block, x);
                channels = block.Conv.Weight.Shape[0];
            }

            bool last = index == stages.Length - 1;
            switch (stage.Attention)
            {
                case SqueezeExcite se:
                    x = g.Op("Mul", [x, SqueezeExciteGate(g, $"{name}.attention", se, x)]);
                    break;
                case EfficientChannelAttention eca:
                    x = g.Op("Mul", [x, EcaGate(g, $"{name}.attention", eca, x, channels)]);
                    break;
                case Cbam cbam:
                    x = g.Op("Mul", [x, CbamChannelGate(g, $"{name}.attention.channel", cbam.Channel, x)]);
                    string spatial = CbamSpatialGate(g, $"{name}.attention.spatial", cbam.Spatial, x);
                    x = g.Op("Mul", [x, spatial]);
                    map = last ? spatial : map;
                    break;
                case null:
                    break;
                default:
                    throw new NotSupportedException($"ONNX export: the attention block {stage.Attention.GetType().Name} is not exported.");
            }

            if (last && map is null && mapName is not null)
            {
                string mean = g.Op("ReduceMean", [x], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1));
                string peak = g.Op("ReduceMax", [mean], OnnxAttribute.Ints("axes", 2, 3), OnnxAttribute.Int("keepdims", 1));
                map = g.Op("Where", [g.Op("Greater", [peak, g.Float(0f)]), g.Op("Div", [mean, peak]), mean]);
            }

            if (h >= 2 && w >= 2)
            {
                x = g.Op("MaxPool", [x], OnnxAttribute.Ints("kernel_shape", 2, 2), OnnxAttribute.Ints("strides", 2, 2));
                h /= 2;
                w /= 2;
            }

            index++;
        }

        string pooled = options.Pooling == ImagePooling.Flatten
            ? g.Op("Reshape", [x, g.Int64s(0, -1)])
            : g.Op("Reshape", [g.Op("GlobalAveragePool", [x]), g.Int64s(0, channels)]);
        Linear embedding = network.Embedding, classifier = network.Classifier;
        string features = g.Op("Relu", [g.Linear(pooled, "embedding", embedding.Weight.AsSpan(), embedding.OutFeatures, embedding.InFeatures, Span(embedding.Bias))]);
        string logits = g.Linear(features, "classifier", classifier.Weight.AsSpan(), classifier.OutFeatures, classifier.InFeatures, Span(classifier.Bias));
        string scores = g.Op("Softmax", [logits], OnnxAttribute.Int("axis", -1));
        int mapSize = network.MapHeight * network.MapWidth;
        bool row = form == OnnxExportForm.MLNetRow;
        void Output(string value, string? outputName, int size, string doc)
        {
            if (outputName is not null)
            {
                g.Output(g.Op("Reshape", [value, row ? g.Int64s(size) : g.Int64s(-1, size)]), outputName, OnnxDataType.Float, row ? [size] : ["batch", size], doc);
            }
        }

        Output(scores, scoreName, network.Classes, "Class probabilities (softmax of the logits).");
        Output(features, embeddingName, embedding.OutFeatures, "The embedding (after ReLU), the featurizer's output.");
        if (mapName is not null)
        {
            Output(map!, mapName, mapSize, $"The last stage's attention map, {network.MapHeight} × {network.MapWidth}.");
        }

        string doc = $"ImageAttention: {shape.Channels}×{shape.Height}×{shape.Width} pixels, stages [{string.Join(", ", options.StageChannels)}], {options.Attention} attention, {network.Classes} classes.";
        return g.ToModel(typeof(ImageAttentionOnnx).Assembly.GetName().Version?.ToString() ?? "0", doc);
    }

    private static string Conv(OnnxGraphBuilder g, string name, Conv2d conv, string x)
    {
        int[] s = conv.Weight.Shape;
        var inputs = new List<string> { x, g.Weight($"{name}.weight", conv.Weight.AsSpan(), s[0], s[1], s[2], s[3]) };
        if (conv.Bias is { } bias)
        {
            inputs.Add(g.Weight($"{name}.bias", bias.AsSpan(), s[0]));
        }

        int p = conv.Padding;
        return g.Op("Conv", [.. inputs], OnnxAttribute.Ints("kernel_shape", s[2], s[3]), OnnxAttribute.Ints("pads", p, p, p, p),
            OnnxAttribute.Ints("strides", conv.Stride, conv.Stride), OnnxAttribute.Int("group", conv.Groups));
    }

    internal static string ConvBatchNorm(OnnxGraphBuilder g, string name, ConvBatchNorm block, string x)
    {
        BatchNorm bn = block.Norm;
        int c = bn.RunningMean.Length;
        string y = g.Op("BatchNormalization", [Conv(g, $"{name}.conv", block.Conv, x),
            g.Weight($"{name}.bn.weight", bn.Weight is { } wt ? wt.AsSpan() : Ones(c), c), g.Weight($"{name}.bn.bias", bn.Bias is { } b ? b.AsSpan() : new float[c], c),
            g.Weight($"{name}.bn.running_mean", bn.RunningMean.AsSpan(), c), g.Weight($"{name}.bn.running_var", bn.RunningVar.AsSpan(), c)],
            OnnxAttribute.Float("epsilon", bn.Eps));
        return block.ActivationKind switch
        {
            null => y,
            ActivationKind.Relu => g.Op("Relu", [y]),
            ActivationKind k => throw new NotSupportedException($"ONNX export: {name}'s activation {k} is not exported (ReLU is)."),
        };
    }

    private static string Apply(OnnxGraphBuilder g, ActivationKind kind, string x, string where) => kind switch
    {
        ActivationKind.Relu => g.Op("Relu", [x]),
        ActivationKind.Sigmoid => g.Op("Sigmoid", [x]),
        ActivationKind.HardSigmoid => g.Op("HardSigmoid", [x], OnnxAttribute.Float("alpha", 1f / 6), OnnxAttribute.Float("beta", 0.5f)),
        _ => throw new NotSupportedException($"ONNX export: {where}'s activation {kind} is not exported."),
    };

    private static string SqueezeExciteGate(OnnxGraphBuilder g, string name, SqueezeExcite se, string x)
    {
        string squeezed = g.Op("GlobalAveragePool", [x]);
        if (se.AddMaxPool)
        {
            squeezed = g.Op("Add", [g.Op("Mul", [squeezed, g.Float(0.5f)]), g.Op("Mul", [g.Op("GlobalMaxPool", [x]), g.Float(0.5f)])]);
        }

        string hidden = Apply(g, se.Activation, Conv(g, $"{name}.fc1", se.Fc1, squeezed), name);
        return Apply(g, se.Gate, Conv(g, $"{name}.fc2", se.Fc2, hidden), name);
    }

    private static string EcaGate(OnnxGraphBuilder g, string name, EfficientChannelAttention eca, string x, int channels)
    {
        string pooled = g.Op("Reshape", [g.Op("GlobalAveragePool", [x]), g.Int64s(-1, 1, channels)]);
        int k = eca.KernelSize, p = eca.Conv.Padding;
        string conv = g.Op("Conv", [pooled, g.Weight($"{name}.conv.weight", eca.Conv.Weight.AsSpan(), 1, 1, k)],
            OnnxAttribute.Ints("kernel_shape", k), OnnxAttribute.Ints("pads", p, p), OnnxAttribute.Ints("strides", eca.Conv.Stride));
        return g.Op("Reshape", [g.Op("Sigmoid", [conv]), g.Int64s(-1, channels, 1, 1)]);
    }

    private static string CbamChannelGate(OnnxGraphBuilder g, string name, ChannelAttention channel, string x)
    {
        string Mlp(string d) => Conv(g, $"{name}.fc2", channel.Fc2, g.Op("Relu", [Conv(g, $"{name}.fc1", channel.Fc1, d)]));
        return g.Op("Sigmoid", [g.Op("Add", [Mlp(g.Op("GlobalAveragePool", [x])), Mlp(g.Op("GlobalMaxPool", [x]))])]);
    }

    private static string CbamSpatialGate(OnnxGraphBuilder g, string name, SpatialAttention spatial, string x)
    {
        string mean = g.Op("ReduceMean", [x], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1));
        string max = g.Op("ReduceMax", [x], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1));
        string both = g.Op("Concat", [mean, max], OnnxAttribute.Int("axis", 1));
        return g.Op("Sigmoid", [ConvBatchNorm(g, $"{name}.conv", spatial.Conv, both)]);
    }

    private static float[] Ones(int n)
    {
        float[] ones = new float[n];
        Array.Fill(ones, 1f);
        return ones;
    }

    private static ReadOnlySpan<float> Span(Tensor? t) => t is null ? [] : t.AsSpan();
}
