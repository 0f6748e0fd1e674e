using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// 2-D convolution (PyTorch <c>nn.Conv2d</c>; <c>weight</c> [out, in/groups, k, k], <c>bias</c> [out]) over
/// [N, C, H, W] input.
/// </summary>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer with PyTorch's default initialization drawn from <paramref name="random"/>.</summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int groups = 1, bool bias = true, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException($"Conv2d: {groups} groups must divide both {inChannels} input and {outChannels} output channels.", nameof(groups));
        }

        random ??= DefaultGenerator.Next();
        Stride = stride;
        Padding = padding;
        Groups = groups;
        int fanIn = inChannels / groups * kernelSize * kernelSize;
        Weight = RegisterParameter("weight", Init.FanInUniform(random, fanIn, outChannels, inChannels / groups, kernelSize, kernelSize));
        Bias = bias ? RegisterParameter("bias", Init.FanInUniform(random, fanIn, outChannels)) : null;
    }

    /// <summary>The stride.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on each side.</summary>
    public int Padding { get; }

    /// <summary>Channel groups.</summary>
    public int Groups { get; }

    /// <summary>The kernels.</summary>
    public Tensor Weight { get; }

    /// <summary>The bias, or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Conv2d(Weight, Bias, Stride, Padding, Groups);
}
