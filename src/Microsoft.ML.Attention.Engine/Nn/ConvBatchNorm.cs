using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// A bias-free convolution <c>conv</c> followed by batch normalization <c>bn</c>, optionally an activation (timm's
/// <c>ConvNormAct</c>, "same" padding k/2). In evaluation mode without a tape (scoring) the normalization is folded into
/// the kernels and a bias, w·γ/√(var + ε) and β − mean·γ/√(var + ε), and a ReLU is applied as the convolution writes its
/// output: one pass over the activations instead of three.
/// </summary>
public sealed class ConvBatchNorm : Module<Tensor, Tensor>
{
    /// <summary>Creates the block; the kernels are drawn from <paramref name="random"/>.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Square kernel size; the padding is kernelSize / 2.</param>
    /// <param name="random">Initialization generator.</param>
    /// <param name="stride">The stride.</param>
    /// <param name="activation">The activation after the normalization, or null for none.</param>
    /// <param name="affine">Whether the normalization has a learned scale and shift (PyTorch's <c>affine</c>).</param>
    public ConvBatchNorm(int inChannels, int outChannels, int kernelSize, Random random, int stride = 1, ActivationKind? activation = null, bool affine = true)
    {
        ArgumentNullException.ThrowIfNull(random);
        Conv = RegisterModule("conv", new Conv2d(inChannels, outChannels, kernelSize, stride, kernelSize / 2, bias: false, random: random));
        Norm = RegisterModule("bn", new BatchNorm(outChannels, affine: affine));
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
        ArgumentNullException.ThrowIfNull(input);
        if (!Norm.IsTraining && !GradMode.IsEnabled)
        {
            (Tensor weight, Tensor bias) = Folded();
            if (ActivationKind == Nn.ActivationKind.Relu)
            {
                return input.Conv2dReluForInference(weight, bias, Conv.Stride, Conv.Padding, Conv.Groups);
            }

            Tensor z = input.Conv2d(weight, bias, Conv.Stride, Conv.Padding, Conv.Groups);
            return ActivationKind is { } other ? Activation.Apply(other, z) : z;
        }

        Tensor y = Norm.Forward(Conv.Forward(input));
        return ActivationKind is { } kind ? Activation.Apply(kind, y) : y;
    }

    /// <summary>The kernels and bias with the normalization's running statistics and affine parameters folded in.</summary>
    private (Tensor Weight, Tensor Bias) Folded()
    {
        int o = Conv.Weight.Dims[0], per = Conv.Weight.Length / o;
        Tensor weight = Tensor.Empty(Conv.Weight.Dims), bias = Tensor.Empty([o]);
        ReadOnlySpan<float> w = Conv.Weight.AsSpan(), mean = Norm.RunningMean.AsSpan(), variance = Norm.RunningVar.AsSpan();
        Span<float> fw = weight.AsSpan(), fb = bias.AsSpan();
        for (int c = 0; c < o; c++)
        {
            float gamma = Norm.Weight is null ? 1f : Norm.Weight.AsSpan()[c], beta = Norm.Bias is null ? 0f : Norm.Bias.AsSpan()[c];
            float scale = gamma / MathF.Sqrt(variance[c] + Norm.Eps);
            System.Numerics.Tensors.TensorPrimitives.Multiply(w.Slice(c * per, per), scale, fw.Slice(c * per, per));
            fb[c] = beta - mean[c] * scale;
        }

        return (weight, bias);
    }
}
