using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// CBAM's channel attention (Woo et al. 2018) as timm's <c>ChannelAttn</c>: one shared MLP (1×1 convolutions
/// <c>fc1</c>, ReLU, <c>fc2</c>) over both the spatial mean and the spatial maximum of each channel; the sigmoid of
/// the sum of the two gates the channels.
/// </summary>
public sealed class ChannelAttention : Module<Tensor, Tensor>
{
    /// <summary>timm's default reduction ratio.</summary>
    public const float DefaultReductionRatio = 1f / 16;

    /// <summary>Creates the block; the weights are drawn from <paramref name="random"/>.</summary>
    public ChannelAttention(int channels, Random random, float reductionRatio = DefaultReductionRatio, int divisor = 1, bool mlpBias = false)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        if (!(reductionRatio > 0f && reductionRatio <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(reductionRatio), reductionRatio, "The reduction ratio must be in (0, 1].");
        }

        ReducedChannels = ChannelRounding.MakeDivisible(channels * reductionRatio, divisor, roundLimit: 0f);
        Fc1 = RegisterModule("fc1", new Conv2d(channels, ReducedChannels, 1, bias: mlpBias, random: random));
        Fc2 = RegisterModule("fc2", new Conv2d(ReducedChannels, channels, 1, bias: mlpBias, random: random));
    }

    /// <summary>Width of the MLP's hidden layer.</summary>
    public int ReducedChannels { get; }

    /// <summary>The MLP's first layer.</summary>
    public Conv2d Fc1 { get; }

    /// <summary>The MLP's second layer.</summary>
    public Conv2d Fc2 { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Attend(input).Output;

    /// <summary>The gated maps and the channel gate [N, C, 1, 1].</summary>
    public GatedOutput Attend(Tensor input)
    {
        int n = input.Dims[0], c = input.Dims[1];

        // Both descriptors through the shared MLP as one batch of 2N.
        Tensor both = Ops.Concat([GlobalPooling.SpatialMean(input), GlobalPooling.SpatialMax(input)], 0);
        Tensor mlp = Fc2.Forward(Fc1.Forward(both).Relu());
        Tensor gate = mlp.Narrow(0, 0, n).Add(mlp.Narrow(0, n, n)).Sigmoid();
        return new GatedOutput(input.Mul(gate), gate.Reshape(n, c, 1, 1));
    }
}
