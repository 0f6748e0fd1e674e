using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// The convolutional block attention module (Woo et al. 2018) as timm's <c>CbamModule</c>: <see cref="ChannelAttention"/>
/// (<c>channel</c>) and then <see cref="SpatialAttention"/> (<c>spatial</c>) on its output.
/// </summary>
public sealed class Cbam : Module<Tensor, Tensor>
{
    /// <summary>Creates the module; the weights are drawn from <paramref name="random"/>.</summary>
    public Cbam(int channels, Random random, float reductionRatio = ChannelAttention.DefaultReductionRatio, int divisor = 1,
        int spatialKernelSize = SpatialAttention.DefaultKernelSize, bool mlpBias = false)
    {
        ArgumentNullException.ThrowIfNull(random);
        Channel = RegisterModule("channel", new ChannelAttention(channels, random, reductionRatio, divisor, mlpBias));
        Spatial = RegisterModule("spatial", new SpatialAttention(random, spatialKernelSize));
    }

    /// <summary>The channel attention, first.</summary>
    public ChannelAttention Channel { get; }

    /// <summary>The spatial attention, second.</summary>
    public SpatialAttention Spatial { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Attend(input).Output;

    /// <summary>The attended maps and both gates.</summary>
    public CbamOutput Attend(Tensor input)
    {
        GatedOutput channel = Channel.Attend(input);
        GatedOutput spatial = Spatial.Attend(channel.Output);
        return new CbamOutput(spatial.Output, channel.Gate, spatial.Gate);
    }
}
