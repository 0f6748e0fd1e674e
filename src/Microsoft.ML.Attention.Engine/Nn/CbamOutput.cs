using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>CBAM's output and both of its maps: the channel gate [N, C, 1, 1] and the spatial gate [N, 1, H, W].</summary>
public sealed record CbamOutput(Tensor Output, Tensor ChannelGate, Tensor SpatialGate);
