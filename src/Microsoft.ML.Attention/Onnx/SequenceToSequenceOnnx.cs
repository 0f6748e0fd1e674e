using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Nn;

namespace Microsoft.ML.Attention.Onnx;

/// <summary>
/// Writes the encoder of a fitted <see cref="SequenceToSequenceModel"/> as an ONNX graph (opset 17, standard operators)
/// computing what the model's evaluation-mode <c>Encode</c> and <c>InitialState</c> compute: the source embedding, the
/// bidirectional GRU/LSTM over each source's own tokens (ONNX <c>GRU</c>/<c>LSTM</c> with <c>sequence_lens</c>), and the
/// bridge to the decoder's first hidden state, tanh(W [forward last; backward first] + b). Input: int64 source token ids
/// <c>[batch, steps]</c>, 0 on padding after each source's tokens. Outputs: the encoder states <c>[batch, steps, 2H]</c>
/// (the attention's values; 0 on padding) and the decoder's initial hidden state <c>[batch, 2H]</c>.
/// </summary>
internal static class SequenceToSequenceOnnx
{
    /// <summary>The encoder graph as <c>ModelProto</c> bytes.</summary>
    public static byte[] ExportEncoder(SequenceToSequenceModel model, string inputName, string statesName, string initialStateName)
    {
        ArgumentNullException.ThrowIfNull(model);
        SequenceToSequenceOptions options = model.Options;
        int e = options.EmbeddingDimension, d = 2 * options.HiddenSize;
        var g = new OnnxGraphBuilder("sequence_to_sequence_encoder");
        string ids = g.Input(inputName, OnnxDataType.Int64, ["batch", "steps"], "Source token ids: 0 = padding, 1 = unknown, 4… the source vocabulary's tokens.");
        string real = g.Op("Cast", [g.Op("Not", [g.Op("Equal", [ids, g.Int64(Vocabulary.Padding)])])], OnnxAttribute.Int("to", (long)OnnxDataType.Int64));
        string lengths = OnnxRecurrent.AtLeastOne(g, g.Op("ReduceSum", [real, g.Int64s(1)], OnnxAttribute.Int("keepdims", 0)));
        Embedding embedding = model.SourceEmbedding;
        string x = g.Op("Gather", [g.Weight("source_embedding.weight", embedding.Weight.AsSpan(), embedding.Weight.Shape[0], e), ids], OnnxAttribute.Int("axis", 0));
        (string states, string final) = OnnxRecurrent.Layer(g, "encoder", model.Encoder, x, lengths);
        Linear bridge = model.Bridge;
        string initial = g.Op("Tanh", [g.Linear(final, "bridge", bridge.Weight.AsSpan(), bridge.OutFeatures, bridge.InFeatures, bridge.Bias is null ? [] : bridge.Bias.AsSpan())]);
        g.Output(states, statesName, OnnxDataType.Float, ["batch", "steps", d], "The encoder states, forward then backward direction (0 on padding).");
        g.Output(initial, initialStateName, OnnxDataType.Float, ["batch", d], "The decoder's initial hidden state, tanh of the bridge over the encoder's final states.");
        string doc = $"SequenceToSequence encoder: {options.Cell} {options.HiddenSize}×2, embedding {e}, source vocabulary of {model.SourceVocabularySize} ids.";
        return g.ToModel(typeof(SequenceToSequenceOnnx).Assembly.GetName().Version?.ToString() ?? "0", doc);
    }
}
