using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Onnx;

/// <summary>
/// Writes a fitted <see cref="HierarchicalAttentionModel"/> as an ONNX graph (opset 17, standard operators) that computes
/// what the model computes in evaluation mode: word embedding, the bidirectional word GRU/LSTM over each sentence (ONNX
/// <c>GRU</c>/<c>LSTM</c> with <c>sequence_lens</c>), word attention, the sentence GRU/LSTM over each document, sentence
/// attention and the classification head. Input: int64 token ids <c>[batch, sentences, words]</c>, 0 on padding (a
/// sentence's padding after its words, padding sentences after a document's sentences). Outputs: the head's logits and
/// class probabilities <c>[batch, classes]</c>, the sentence weights <c>[batch, sentences]</c> and the word weights
/// <c>[batch, sentences, words]</c> (0 on padding and on padding sentences).
/// </summary>
internal static class HierarchicalAttentionOnnx
{
    /// <summary>The graph as <c>ModelProto</c> bytes.</summary>
    public static byte[] Export(HierarchicalAttentionModel model, string inputName, string logitsName, string probabilitiesName, string sentenceWeightsName, string wordWeightsName)
    {
        ArgumentNullException.ThrowIfNull(model);
        HierarchicalAttentionOptions options = model.Options;
        int d = 2 * options.HiddenSize, e = options.EmbeddingDimension, classes = model.Classes;
        var g = new OnnxGraphBuilder("hierarchical_attention");
        string ids = g.Input(inputName, OnnxDataType.Int64, ["batch", "sentences", "words"],
            "Token ids per sentence: 0 = padding, 1 = unknown word, 2… the vocabulary's words.");
        string shape = g.Op("Shape", [ids]);
        string batchAndSentences = g.Op("Slice", [shape, g.Int64s(0), g.Int64s(2), g.Int64s(0)]);
        string wordsDim = g.Op("Slice", [shape, g.Int64s(2), g.Int64s(3), g.Int64s(0)]);

        string wordPadding = g.Op("Equal", [ids, g.Int64(Vocabulary.Padding)]);
        string wordLengths = Count(g, wordPadding, axis: 2);
        string sentencePadding = g.Op("Equal", [wordLengths, g.Int64(0)]);
        string sentenceCounts = Count(g, sentencePadding, axis: 1);

        // Words: every sentence of every document one sequence; a padding sentence runs as one padding word, as in the pack.
        string flatIds = g.Op("Reshape", [ids, g.Op("Concat", [g.Int64s(-1), wordsDim], Axis(0))]);
        Embedding embedding = model.Embedding;
        string x = g.Op("Gather", [g.Weight("embedding.weight", embedding.Weight.AsSpan(), embedding.Weight.Shape[0], e), flatIds], Axis(0));
        string wordSteps = AtLeastOne(g, g.Op("Reshape", [wordLengths, g.Int64s(-1)]));
        string words = Recurrent(g, "word_encoder", model.WordEncoder, x, wordSteps);
        string flatWordPadding = g.Op("Reshape", [wordPadding, g.Op("Concat", [g.Int64s(-1), wordsDim], Axis(0))]);
        (string sentenceVectors, string wordWeights) = Pool(g, "word_attention", model.WordAttention, words, flatWordPadding, d);

        string sentences = g.Op("Reshape", [sentenceVectors, g.Op("Concat", [batchAndSentences, g.Int64s(d)], Axis(0))]);
        string encoded = Recurrent(g, "sentence_encoder", model.SentenceEncoder, sentences, AtLeastOne(g, sentenceCounts));
        (string document, string sentenceWeights) = Pool(g, "sentence_attention", model.SentenceAttention, encoded, sentencePadding, d);

        Linear head = model.Head;
        string logits = g.Linear(document, "head", head.Weight.AsSpan(), classes, d, head.Bias is null ? [] : head.Bias.AsSpan());
        string probabilities = g.Op("Softmax", [logits], Axis(-1));
        wordWeights = g.Op("Reshape", [wordWeights, shape]);

        g.Output(logits, logitsName, OnnxDataType.Float, ["batch", classes], "The classification head's logits.");
        g.Output(probabilities, probabilitiesName, OnnxDataType.Float, ["batch", classes], "The class probabilities (softmax of the logits).");
        g.Output(sentenceWeights, sentenceWeightsName, OnnxDataType.Float, ["batch", "sentences"], "The sentence attention weights (0 on padding sentences).");
        g.Output(wordWeights, wordWeightsName, OnnxDataType.Float, ["batch", "sentences", "words"], "The word attention weights within each sentence (0 on padding).");
        string doc = $"HierarchicalAttention: {options.Cell} {options.HiddenSize}×2 at both levels, embedding {e}, attention {options.AttentionDimension}, " +
            $"vocabulary of {model.VocabularySize} ids, {classes} classes.";
        return g.ToModel(typeof(HierarchicalAttentionOnnx).Assembly.GetName().Version?.ToString() ?? "0", doc);
    }

    /// <summary>The positions along <paramref name="axis"/> that are not padding, int64, the axis removed.</summary>
    private static string Count(OnnxGraphBuilder g, string padding, int axis)
    {
        string real = g.Op("Cast", [g.Op("Not", [padding])], OnnxAttribute.Int("to", (long)OnnxDataType.Int64));
        return g.Op("ReduceSum", [real, g.Int64s(axis)], OnnxAttribute.Int("keepdims", 0));
    }

    /// <summary>max(lengths, 1) as the int32 <c>sequence_lens</c> of ONNX's recurrent operators.</summary>
    private static string AtLeastOne(OnnxGraphBuilder g, string lengths) =>
        g.Op("Cast", [g.Op("Max", [lengths, g.Int64(1)])], OnnxAttribute.Int("to", (long)OnnxDataType.Int32));

    /// <summary>
    /// A one-layer bidirectional GRU or LSTM over x [N, T, F] with <paramref name="lengths"/> [N]: the PyTorch gate blocks
    /// reordered to ONNX's (GRU r,z,n → z,r,h with <c>linear_before_reset</c>, as PyTorch's new gate; LSTM i,f,g,o → i,o,f,c),
    /// the output [N, T, 2H], forward then reverse direction.
    /// </summary>
    private static string Recurrent(OnnxGraphBuilder g, string name, RecurrentLayer layer, string x, string lengths)
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
        string y = g.Op(lstm ? "LSTM" : "GRU", inputs, attributes);

        // Y [T, 2, N, H] → [N, T, 2, H] → [N, T, 2H].
        y = g.Op("Transpose", [y], OnnxAttribute.Ints("perm", 2, 0, 1, 3));
        return g.Op("Reshape", [y, g.Int64s(0, 0, 2 * h)]);
    }

    /// <summary>
    /// Attention pooling of h [N, T, D] with a padding mask [N, T] (true = padding): weights 0 on padding, and a sequence
    /// that is all padding pools to zeros with all weights 0, as the pack's <see cref="AttentionPooling"/>.
    /// </summary>
    private static (string Pooled, string Weights) Pool(OnnxGraphBuilder g, string name, AttentionPooling pool, string h, string padding, int d)
    {
        int a = pool.Projection.OutFeatures;
        Linear proj = pool.Projection;
        string scores = g.Op("Tanh", [g.Linear(h, $"{name}.proj", proj.Weight.AsSpan(), a, d, proj.Bias is null ? [] : proj.Bias.AsSpan())]);
        scores = g.Op("MatMul", [scores, g.Weight($"{name}.context", pool.Context.AsSpan(), a, 1)]);
        scores = g.Op("Reshape", [scores, g.Int64s(0, -1)]);
        scores = g.Op("Add", [scores, g.Op("Where", [padding, g.Float(float.NegativeInfinity), g.Float(0f)])]);

        // All-padding rows give NaN in the softmax; every one of their positions is padding, so the Where zeroes them.
        string weights = g.Op("Where", [padding, g.Float(0f), g.Op("Softmax", [scores], Axis(-1))]);
        string pooled = g.Op("MatMul", [g.Op("Unsqueeze", [weights, g.Int64s(1)]), h]);
        return (g.Op("Reshape", [pooled, g.Int64s(0, d)]), weights);
    }

    private static OnnxAttribute Axis(long axis) => OnnxAttribute.Int("axis", axis);
}
