using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>Adaptive average pooling to a fixed output size; (1, 1) is global average pooling.</summary>
public sealed class AdaptiveAvgPool2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public AdaptiveAvgPool2d(int outputHeight, int outputWidth)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputWidth);
        OutputHeight = outputHeight;
        OutputWidth = outputWidth;
    }

    /// <summary>Output rows.</summary>
    public int OutputHeight { get; }

    /// <summary>Output columns.</summary>
    public int OutputWidth { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.AdaptiveAvgPool2d(OutputHeight, OutputWidth);
}
