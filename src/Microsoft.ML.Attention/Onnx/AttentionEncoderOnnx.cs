using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Onnx;

/// <summary>
/// Writes a fitted <see cref="AttentionEncoderModel"/> as an ONNX graph (opset 17) that computes what the model's
/// <c>Encode</c> computes in evaluation mode: token embedding (or step projection), learned positions, the encoder layers,
/// the final norm and attention pooling. Outputs: the pooled embedding <c>[batch, d]</c> and the pooling weights
/// <c>[batch, slots]</c> (without the batch dimension in <see cref="OnnxExportForm.MLNetRow"/> form) (0 on padding and past the text's end; slots = MaximumLength for text, the number of steps for
/// vectors), the same values as the transformer's embedding and attention-weights columns. Text longer than MaximumLength
/// words is cut to its first MaximumLength words. The training head is not exported.
/// </summary>
internal static class AttentionEncoderOnnx
{
    /// <summary>The graph as <c>ModelProto</c> bytes.</summary>
    /// <param name="model">The fitted model.</param>
    /// <param name="form">The host the graph is shaped for.</param>
    /// <param name="inputName">The graph input's name.</param>
    /// <param name="embeddingName">The pooled embedding output's name.</param>
    /// <param name="weightsName">The pooling weights output's name.</param>
    /// <param name="steps">Steps of a vector input (its size / StepSize); ignored for text.</param>
    public static byte[] Export(AttentionEncoderModel model, OnnxExportForm form, string inputName, string embeddingName, string weightsName, int steps = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        AttentionEncodeOptions options = model.Options;
        int d = model.EmbeddingSize;
        var g = new OnnxGraphBuilder("attention_encoder");
        string x, lengthScalar;
        string? padding = null;
        int slots;
        if (options.IsTextInput)
        {
            slots = options.MaximumLength;
            string ids = form == OnnxExportForm.Batched
                ? g.Input(inputName, OnnxDataType.Int64, ["batch", "tokens"], "Token ids: 0 = padding, 1 = unknown word, 2… the vocabulary's words.")
                : KeyValuesToIds(g, g.Input(inputName, OnnxDataType.UInt32, ["batch", "tokens"], "ML.NET key values of the words: word id + 1, 0 = not in the vocabulary."));
            ids = g.Op("Slice", [ids, g.Int64s(0), g.Int64s(slots), g.Int64s(1)]);
            padding = g.Op("Equal", [ids, g.Int64(Vocabulary.Padding)]);
            Embedding embedding = model.TokenEmbedding!;
            x = g.Op("Gather", [g.Weight("embedding.weight", embedding.Weight.AsSpan(), embedding.Weight.Shape[0], d), ids], Axis(0));
            lengthScalar = g.Op("Gather", [g.Op("Shape", [ids]), g.Int64(1)], Axis(0));
        }
        else
        {
            slots = steps;
            int stepSize = options.StepSize;
            string input = g.Input(inputName, OnnxDataType.Float, ["batch", steps * stepSize], $"Steps of {stepSize} values, one after another.");
            Linear projection = model.StepProjection!;
            string shaped = g.Op("Reshape", [input, g.Int64s(0, steps, stepSize)]);
            x = g.Linear(shaped, "input_proj", projection.Weight.AsSpan(), d, stepSize, Span(projection.Bias));
            lengthScalar = g.Int64(steps);
        }

        LearnedPositionalEncoding positions = model.Positions;
        string table = g.Weight("positions.weight", positions.Weight.AsSpan(), positions.MaxLength, d);
        string positionIds = g.Op("Range", [g.Int64(0), lengthScalar, g.Int64(1)]);
        x = g.Op("Add", [x, g.Op("Gather", [table, positionIds], Axis(0))]);
        string? bias = padding is null ? null : g.Op("Where", [padding, g.Float(float.NegativeInfinity), g.Float(0f)]);
        string? attentionBias = bias is null ? null : g.Op("Unsqueeze", [bias, g.Int64s(1, 2)]);
        IReadOnlyList<TransformerEncoderLayer> layers = model.Encoder.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            x = EncoderLayer(g, $"encoder.layers.{i}", layers[i], x, attentionBias);
        }

        if (model.Encoder.Norm is { } norm)
        {
            x = LayerNorm(g, "encoder.norm", norm, x);
        }

        AttentionPooling pool = model.Pooling;
        int a = pool.Projection.OutFeatures;
        string scores = g.Op("Tanh", [g.Linear(x, "pool.proj", pool.Projection.Weight.AsSpan(), a, d, Span(pool.Projection.Bias))]);
        scores = g.Op("MatMul", [scores, g.Weight("pool.context", pool.Context.AsSpan(), a, 1)]);
        scores = g.Op("Reshape", [scores, g.Int64s(0, -1)]);
        if (bias is not null)
        {
            scores = g.Op("Add", [scores, bias]);
        }

        string weights = g.Op("Softmax", [scores], Axis(-1));
        string pooled = g.Op("MatMul", [g.Op("Unsqueeze", [weights, g.Int64s(1)]), x]);
        pooled = g.Op("Reshape", [pooled, g.Int64s(0, d)]);
        if (options.IsTextInput)
        {
            string missing = g.Op("Sub", [g.Int64s(slots), g.Op("Reshape", [lengthScalar, g.Int64s(1)])]);
            weights = g.Op("Pad", [weights, g.Op("Concat", [g.Int64s(0, 0, 0), missing], Axis(0)), g.Float(0f)]);
        }

        object[] embeddingDims = ["batch", d], weightDims = ["batch", slots];
        if (form == OnnxExportForm.MLNetRow)
        {
            pooled = g.Op("Reshape", [pooled, g.Int64s(d)]);
            weights = g.Op("Reshape", [weights, g.Int64s(slots)]);
            embeddingDims = [d];
            weightDims = [slots];
        }

        g.Output(pooled, embeddingName, OnnxDataType.Float, embeddingDims, "The attention-pooled embedding.");
        g.Output(weights, weightsName, OnnxDataType.Float, weightDims, "The pooling weight of every word or step (0 past the end).");
        string doc = $"AttentionEncode encoder: {options.Layers} layers, width {d}, {options.Heads} heads, MaximumLength {options.MaximumLength}" +
            (options.IsTextInput ? $", vocabulary of {model.VocabularySize} ids." : $", steps of {options.StepSize} values.");
        return g.ToModel(typeof(AttentionEncoderOnnx).Assembly.GetName().Version?.ToString() ?? "0", doc);
    }

    /// <summary>Key value k → id k − 1, and k = 0 (not in the vocabulary) → the unknown id.</summary>
    private static string KeyValuesToIds(OnnxGraphBuilder g, string keys)
    {
        string k = g.Op("Cast", [keys], OnnxAttribute.Int("to", (long)OnnxDataType.Int64));
        string unknown = g.Op("Equal", [k, g.Int64(0)]);
        return g.Op("Where", [unknown, g.Int64(Vocabulary.Unknown), g.Op("Sub", [k, g.Int64(1)])]);
    }

    private static string EncoderLayer(OnnxGraphBuilder g, string name, TransformerEncoderLayer layer, string x, string? attentionBias)
    {
        if (layer.NormFirst)
        {
            x = g.Op("Add", [x, SelfAttention(g, $"{name}.self_attn", layer.SelfAttention, LayerNorm(g, $"{name}.norm1", layer.Norm1, x), attentionBias)]);
            return g.Op("Add", [x, FeedForward(g, name, layer, LayerNorm(g, $"{name}.norm2", layer.Norm2, x))]);
        }

        x = LayerNorm(g, $"{name}.norm1", layer.Norm1, g.Op("Add", [x, SelfAttention(g, $"{name}.self_attn", layer.SelfAttention, x, attentionBias)]));
        return LayerNorm(g, $"{name}.norm2", layer.Norm2, g.Op("Add", [x, FeedForward(g, name, layer, x)]));
    }

    private static string SelfAttention(OnnxGraphBuilder g, string name, MultiheadAttention attention, string x, string? attentionBias)
    {
        int e = attention.EmbedDim, heads = attention.NumHeads, dh = e / heads;
        string q = g.Op("Transpose", [Project(g, name, attention, x, 0, "q_proj")], OnnxAttribute.Ints("perm", 0, 2, 1, 3));
        string k = g.Op("Transpose", [Project(g, name, attention, x, 1, "k_proj")], OnnxAttribute.Ints("perm", 0, 2, 3, 1));
        string v = g.Op("Transpose", [Project(g, name, attention, x, 2, "v_proj")], OnnxAttribute.Ints("perm", 0, 2, 1, 3));
        string scores = g.Op("Mul", [g.Op("MatMul", [q, k]), g.Float(1f / MathF.Sqrt(dh))]);
        if (attentionBias is not null)
        {
            scores = g.Op("Add", [scores, attentionBias]);
        }

        string context = g.Op("MatMul", [g.Op("Softmax", [scores], Axis(-1)), v]);
        context = g.Op("Reshape", [g.Op("Transpose", [context], OnnxAttribute.Ints("perm", 0, 2, 1, 3)), g.Int64s(0, 0, e)]);
        Linear output = attention.OutProj;
        return g.Linear(context, $"{name}.out_proj", output.Weight.AsSpan(), e, e, Span(output.Bias));
    }

    /// <summary>One of the packed query/key/value projections, split into heads: [batch, tokens, heads, head width].</summary>
    private static string Project(OnnxGraphBuilder g, string name, MultiheadAttention attention, string x, int part, string label)
    {
        int e = attention.EmbedDim;
        ReadOnlySpan<float> w = attention.InProjWeight!.AsSpan().Slice(part * e * e, e * e);
        ReadOnlySpan<float> b = Span(attention.InProjBias);
        string projected = g.Linear(x, $"{name}.{label}", w, e, e, b.IsEmpty ? b : b.Slice(part * e, e));
        return g.Op("Reshape", [projected, g.Int64s(0, 0, attention.NumHeads, e / attention.NumHeads)]);
    }

    private static string FeedForward(OnnxGraphBuilder g, string name, TransformerEncoderLayer layer, string x)
    {
        Linear l1 = layer.Linear1, l2 = layer.Linear2;
        string h = g.Linear(x, $"{name}.linear1", l1.Weight.AsSpan(), l1.OutFeatures, l1.InFeatures, Span(l1.Bias));
        h = layer.ActivationFunction switch
        {
            ActivationKind.Relu => g.Op("Relu", [h]),
            ActivationKind.Gelu => g.Op("Mul", [g.Op("Mul", [h, g.Op("Add", [g.Op("Erf", [g.Op("Mul", [h, g.Float(0.70710678f)])]), g.Float(1f)])]), g.Float(0.5f)]),
            _ => throw new NotSupportedException($"ONNX export: the encoder's activation {layer.ActivationFunction} is not exported (ReLU and GELU are)."),
        };
        return g.Linear(h, $"{name}.linear2", l2.Weight.AsSpan(), l2.OutFeatures, l2.InFeatures, Span(l2.Bias));
    }

    private static string LayerNorm(OnnxGraphBuilder g, string name, Nn.LayerNorm norm, string x)
    {
        int n = norm.Weight?.Length ?? throw new NotSupportedException($"ONNX export: {name} has no affine weights.");
        return g.Op("LayerNormalization", [x, g.Weight($"{name}.weight", norm.Weight.AsSpan(), n), g.Weight($"{name}.bias", Span(norm.Bias), n)],
            Axis(-1), OnnxAttribute.Float("epsilon", norm.Eps));
    }

    private static OnnxAttribute Axis(long axis) => OnnxAttribute.Int("axis", axis);

    private static ReadOnlySpan<float> Span(Tensor? t) => t is null ? [] : t.AsSpan();
}
