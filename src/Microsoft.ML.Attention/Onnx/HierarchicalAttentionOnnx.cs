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
        string wordSteps = OnnxRecurrent.AtLeastOne(g, g.Op("Reshape", [wordLengths, g.Int64s(-1)]));
        string words = OnnxRecurrent.Layer(g, "word_encoder", model.WordEncoder, x, wordSteps).Output;
        string flatWordPadding = g.Op("Reshape", [wordPadding, g.Op("Concat", [g.Int64s(-1), wordsDim], Axis(0))]);
        (string sentenceVectors, string wordWeights) = OnnxAttentionPooling.Pool(g, "word_attention", model.WordAttention, words, flatWordPadding, d);

        string sentences = g.Op("Reshape", [sentenceVectors, g.Op("Concat", [batchAndSentences, g.Int64s(d)], Axis(0))]);
        string encoded = OnnxRecurrent.Layer(g, "sentence_encoder", model.SentenceEncoder, sentences, OnnxRecurrent.AtLeastOne(g, sentenceCounts)).Output;
        (string document, string sentenceWeights) = OnnxAttentionPooling.Pool(g, "sentence_attention", model.SentenceAttention, encoded, sentencePadding, d);

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

    private static OnnxAttribute Axis(long axis) => OnnxAttribute.Int("axis", axis);
}
