namespace Microsoft.ML.Attention.Onnx;

/// <summary>Which host an exported encoder is shaped for.</summary>
public enum OnnxExportForm
{
    /// <summary>
    /// ONNX Runtime and other hosts that score many rows at once: text arrives as int64 token ids <c>[batch, tokens]</c>
    /// numbered as the pack's vocabulary numbers them (0 = padding at the end of a shorter row, 1 = unknown word, 2… the
    /// vocabulary's words); a vector as float <c>[batch, size]</c>; the outputs are <c>[batch, …]</c>.
    /// </summary>
    Batched,

    /// <summary>
    /// ML.NET's <c>ApplyOnnxModel</c>, which passes one row: text arrives as uint32 key values <c>[1, tokens]</c> as
    /// <c>MapValueToKey</c> over the vocabulary's words gives them (word id + 1, 0 = a word not in the vocabulary), a vector as
    /// float <c>[1, size]</c>; the outputs have no batch dimension, so ML.NET types them <c>Vector&lt;Single, n&gt;</c> as the pack does.
    /// </summary>
    MLNetRow,
}
