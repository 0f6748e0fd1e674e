using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>An attention block's output and the gate it multiplied its input by ([N, C, 1, 1] for channel attention, [N, 1, H, W] for spatial).</summary>
public sealed record GatedOutput(Tensor Output, Tensor Gate);
