using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// A bias-free convolution <c>conv</c> followed by batch normalization <c>bn</c>, optionally an activation (timm's
/// <c>ConvNormAct</c>, "same" padding k/2).
/// </summary>
public sealed class ConvBatchNorm : Module<Tensor, Tensor>
{
    /// <summary>Creates the block; the kernels are drawn from <paramref name="random"/>.</summary>
    public ConvBatchNorm(int inChannels, int outChannels, int kernelSize, Random random, int stride = 1, ActivationKind? activation = null)
    {
        ArgumentNullException.ThrowIfNull(random);
        Conv = RegisterModule("conv", new Conv2d(inChannels, outChannels, kernelSize, stride, kernelSize / 2, bias: false, random: random));
        Norm = RegisterModule("bn", new BatchNorm(outChannels));
        ActivationKind = activation;
    }

    /// <summary>The convolution.</summary>
    public Conv2d Conv { get; }

    /// <summary>The normalization.</summary>
    public BatchNorm Norm { get; }

    /// <summary>The activation after the normalization, or null for none.</summary>
    public ActivationKind? ActivationKind { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        Tensor y = Norm.Forward(Conv.Forward(input));
        return ActivationKind is { } kind ? Activation.Apply(kind, y) : y;
    }
}
