using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// CBAM's spatial attention as timm's <c>SpatialAttn</c>: the channel mean and channel maximum at each position, as a
/// 2-channel map, go through a k×k convolution with batch normalization (<c>conv.conv</c>, <c>conv.bn</c>); the
/// sigmoid of the result gates every position.
/// </summary>
public sealed class SpatialAttention : Module<Tensor, Tensor>
{
    /// <summary>The paper's kernel size.</summary>
    public const int DefaultKernelSize = 7;

    /// <summary>Creates the block; the kernel is drawn from <paramref name="random"/>.</summary>
    public SpatialAttention(Random random, int kernelSize = DefaultKernelSize)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (kernelSize < 1 || kernelSize % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "The spatial attention kernel size must be odd and positive.");
        }

        Conv = RegisterModule("conv", new ConvBatchNorm(2, 1, kernelSize, random));
    }

    /// <summary>The convolution and normalization over the pooled map.</summary>
    public ConvBatchNorm Conv { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Attend(input).Output;

    /// <summary>The gated maps and the spatial gate [N, 1, H, W].</summary>
    public GatedOutput Attend(Tensor input)
    {
        Tensor pooled = Ops.Concat([GlobalPooling.ChannelMean(input), GlobalPooling.ChannelMax(input)], 1);
        Tensor gate = Conv.Forward(pooled).Sigmoid();
        return new GatedOutput(input.Mul(gate), gate);
    }
}
