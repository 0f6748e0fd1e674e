using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>The output of a <see cref="TransformerEncoder"/> and, when requested, the attention weights of every layer.</summary>
/// <param name="Output">The encoded sequence [B, L, dModel].</param>
/// <param name="LayerWeights">Per layer, its weights ([B, H, L, L] per head or [B, L, L] averaged), or null when not requested.</param>
public sealed record TransformerEncoderOutput(Tensor Output, IReadOnlyList<Tensor>? LayerWeights);
