using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>A spatial transformer's resampled maps [N, C, Ho, Wo] and the affine transforms it applied, [N, 2, 3].</summary>
public sealed record SpatialTransformerOutput(Tensor Output, Tensor Theta);
