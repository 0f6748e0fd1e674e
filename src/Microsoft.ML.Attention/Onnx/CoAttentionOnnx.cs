using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Nn;

namespace Microsoft.ML.Attention.Onnx;

/// <summary>
/// Writes a fitted <see cref="CoAttentionPairModel"/> as an ONNX graph (opset 17, standard operators) computing what its
/// evaluation-mode forward pass computes: both texts through the shared embedding and bidirectional GRU (ONNX <c>GRU</c>
/// with <c>sequence_lens</c>), the affinity matrix (bilinear or dot product), its softmax over each side (padding never
/// attended), the composed states, attention pooling, the pair features [a; b; √((a−b)²+1e−6); a·b] and the head. Inputs:
/// int64 token ids <c>[batch, firstWords]</c> and <c>[batch, secondWords]</c>, 0 on padding. Outputs: the logit and the
/// probability <c>[batch]</c>, and both alignment matrices <c>[batch, firstWords, secondWords]</c> and
/// <c>[batch, secondWords, firstWords]</c> (rows of padding positions are not meaningful).
/// </summary>
internal static class CoAttentionOnnx
{
    /// <summary>The graph as <c>ModelProto</c> bytes.</summary>
    public static byte[] Export(CoAttentionPairModel model, string firstName, string secondName, string logitName, string probabilityName, string forwardName, string backwardName)
    {
        ArgumentNullException.ThrowIfNull(model);
        CoAttentionOptions options = model.Options;
        int e = options.EmbeddingDimension, d = 2 * options.HiddenSize;
        var g = new OnnxGraphBuilder("co_attention");
        string first = g.Input(firstName, OnnxDataType.Int64, ["batch", "first_words"], "The first texts' word ids: 0 = padding, 1 = unknown, 2… the vocabulary's words.");
        string second = g.Input(secondName, OnnxDataType.Int64, ["batch", "second_words"], "The second texts' word ids, as the first's.");
        string embedding = g.Weight("embedding.weight", model.Embedding.Weight.AsSpan(), model.Embedding.Weight.Shape[0], e);

        (string States, string Padding) Encode(string ids)
        {
            string padding = g.Op("Equal", [ids, g.Int64(Vocabulary.Padding)]);
            string real = g.Op("Cast", [g.Op("Not", [padding])], OnnxAttribute.Int("to", (long)OnnxDataType.Int64));
            string lengths = OnnxRecurrent.AtLeastOne(g, g.Op("ReduceSum", [real, g.Int64s(1)], OnnxAttribute.Int("keepdims", 0)));
            string x = g.Op("Gather", [embedding, ids], OnnxAttribute.Int("axis", 0));
            return (OnnxRecurrent.Layer(g, "encoder", model.Encoder, x, lengths).Output, padding);
        }

        (string a, string aPadding) = Encode(first);
        (string b, string bPadding) = Encode(second);
        Linear? w = model.CoAttention.W;
        string keys = w is null ? b : g.Linear(b, "co_attention.W", w.Weight.AsSpan(), d, d, []);
        string affinity = g.Op("MatMul", [a, g.Op("Transpose", [keys], OnnxAttribute.Ints("perm", 0, 2, 1))]);
        string MaskedSoftmax(string scores, string padding) => g.Op("Softmax",
            [g.Op("Add", [scores, g.Op("Where", [g.Op("Unsqueeze", [padding, g.Int64s(1)]), g.Float(float.NegativeInfinity), g.Float(0f)])])], OnnxAttribute.Int("axis", -1));
        string toSecond = MaskedSoftmax(affinity, bPadding);
        string toFirst = MaskedSoftmax(g.Op("Transpose", [affinity], OnnxAttribute.Ints("perm", 0, 2, 1)), aPadding);

        Linear compose = model.Compose;
        string Pool(string states, string contexts, string padding)
        {
            string joined = g.Op("Concat", [states, contexts, g.Op("Mul", [states, contexts])], OnnxAttribute.Int("axis", 2));
            string composed = g.Op("Relu", [g.Linear(joined, "compose", compose.Weight.AsSpan(), d, 3 * d, compose.Bias is null ? [] : compose.Bias.AsSpan())]);
            return OnnxAttentionPooling.Pool(g, "pooling", model.Pooling, composed, padding, d).Pooled;
        }

        string pa = Pool(a, g.Op("MatMul", [toSecond, b]), aPadding), pb = Pool(b, g.Op("MatMul", [toFirst, a]), bPadding);
        string difference = g.Op("Sub", [pa, pb]);
        string distance = g.Op("Sqrt", [g.Op("Add", [g.Op("Mul", [difference, difference]), g.Float(1e-6f)])]);
        string pair = g.Op("Concat", [pa, pb, distance, g.Op("Mul", [pa, pb])], OnnxAttribute.Int("axis", 1));
        Linear hidden = model.Hidden, head = model.Head;
        string h = g.Op("Relu", [g.Linear(pair, "hidden", hidden.Weight.AsSpan(), d, 4 * d, hidden.Bias is null ? [] : hidden.Bias.AsSpan())]);
        string logit = g.Op("Reshape", [g.Linear(h, "head", head.Weight.AsSpan(), 1, d, head.Bias is null ? [] : head.Bias.AsSpan()), g.Int64s(-1)]);
        g.Output(logit, logitName, OnnxDataType.Float, ["batch"], "The logit of the positive class.");
        g.Output(g.Op("Sigmoid", [logit]), probabilityName, OnnxDataType.Float, ["batch"], "The probability of the positive class.");
        g.Output(toSecond, forwardName, OnnxDataType.Float, ["batch", "first_words", "second_words"], "Each first word's attention over the second text.");
        g.Output(toFirst, backwardName, OnnxDataType.Float, ["batch", "second_words", "first_words"], "Each second word's attention over the first text.");
        string doc = $"CoAttention: embedding {e}, BiGRU {options.HiddenSize}, {(w is null ? "dot-product" : "bilinear")} affinity, vocabulary of {model.VocabularySize} ids.";
        return g.ToModel(typeof(CoAttentionOnnx).Assembly.GetName().Version?.ToString() ?? "0", doc);
    }
}
