using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// 1-D convolution (PyTorch <c>nn.Conv1d</c>; <c>weight</c> [out, in/groups, k], <c>bias</c> [out]) over [N, C, L] input.
/// </summary>
public sealed class Conv1d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer with PyTorch's default initialization drawn from <paramref name="random"/>.</summary>
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int groups = 1, bool bias = true, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException($"Conv1d: {groups} groups must divide both {inChannels} input and {outChannels} output channels.", nameof(groups));
        }

        random ??= DefaultGenerator.Next();
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Groups = groups;
        int fanIn = inChannels / groups * kernelSize;
        Weight = RegisterParameter("weight", Init.FanInUniform(random, fanIn, outChannels, inChannels / groups, kernelSize));
        Bias = bias ? RegisterParameter("bias", Init.FanInUniform(random, fanIn, outChannels)) : null;
    }

    /// <summary>The kernel size.</summary>
    public int KernelSize { get; }

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
    public override Tensor Forward(Tensor input) => input.Conv1d(Weight, Bias, Stride, Padding, Groups);
}
