using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>2-D max or average pooling over [N, C, H, W] (PyTorch <c>nn.MaxPool2d</c> / <c>nn.AvgPool2d</c>).</summary>
public sealed class Pool2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer; the stride defaults to the kernel size.</summary>
    public Pool2d(PoolKind kind, int kernelSize, int? stride = null, int padding = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        Kind = kind;
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
    }

    /// <summary>Max or average.</summary>
    public PoolKind Kind { get; }

    /// <summary>The window size.</summary>
    public int KernelSize { get; }

    /// <summary>The stride.</summary>
    public int Stride { get; }

    /// <summary>The padding.</summary>
    public int Padding { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Kind == PoolKind.Max
        ? input.MaxPool2d(KernelSize, Stride, Padding)
        : input.AvgPool2d(KernelSize, Stride, Padding);
}
