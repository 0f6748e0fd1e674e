using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// Squeeze-and-excitation (Hu et al. 2018) as timm's <c>SEModule</c>: the spatial mean of each channel (optionally
/// averaged with its maximum) goes through a 1×1 convolution <c>fc1</c> to a reduced width, an activation, a 1×1
/// convolution <c>fc2</c> back, and a gate; the input is scaled by the gate per channel. The reduced width is
/// channels × ratio rounded by <see cref="ChannelRounding.MakeDivisible"/> (round limit 0), so timm's state_dicts load.
/// </summary>
public sealed class SqueezeExcite : Module<Tensor, Tensor>
{
    /// <summary>timm's default reduction ratio.</summary>
    public const float DefaultReductionRatio = 1f / 16;

    /// <summary>timm's default divisor of the reduced width.</summary>
    public const int DefaultDivisor = 8;

    /// <summary>Creates the block; the weights are drawn from <paramref name="random"/>.</summary>
    public SqueezeExcite(
        int channels, Random random, float reductionRatio = DefaultReductionRatio, int divisor = DefaultDivisor,
        ActivationKind activation = ActivationKind.Relu, ActivationKind gate = ActivationKind.Sigmoid, bool addMaxPool = false)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        if (!(reductionRatio > 0f && reductionRatio <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(reductionRatio), reductionRatio, "The reduction ratio must be in (0, 1].");
        }

        ReducedChannels = ChannelRounding.MakeDivisible(channels * reductionRatio, divisor, roundLimit: 0f);
        Activation = activation;
        Gate = gate;
        AddMaxPool = addMaxPool;
        Fc1 = RegisterModule("fc1", new Conv2d(channels, ReducedChannels, 1, random: random));
        Fc2 = RegisterModule("fc2", new Conv2d(ReducedChannels, channels, 1, random: random));
    }

    /// <summary>Width of the squeezed descriptor.</summary>
    public int ReducedChannels { get; }

    /// <summary>The activation between the two layers.</summary>
    public ActivationKind Activation { get; }

    /// <summary>The gate function.</summary>
    public ActivationKind Gate { get; }

    /// <summary>Whether the squeezed descriptor averages the spatial mean with the spatial maximum.</summary>
    public bool AddMaxPool { get; }

    /// <summary>The reducing 1×1 convolution.</summary>
    public Conv2d Fc1 { get; }

    /// <summary>The expanding 1×1 convolution.</summary>
    public Conv2d Fc2 { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Attend(input).Output;

    /// <summary>The gated maps and the channel gate [N, C, 1, 1].</summary>
    public GatedOutput Attend(Tensor input)
    {
        Tensor squeezed = GlobalPooling.SpatialMean(input);
        if (AddMaxPool)
        {
            squeezed = squeezed.Mul(0.5f).Add(GlobalPooling.SpatialMax(input).Mul(0.5f));
        }

        Tensor gate = Nn.Activation.Apply(Gate, Fc2.Forward(Nn.Activation.Apply(Activation, Fc1.Forward(squeezed))));
        return new GatedOutput(input.Mul(gate), gate);
    }
}
