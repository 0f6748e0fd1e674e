using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// Efficient channel attention (Wang et al. 2020, ECA-Net) as timm's <c>EcaModule</c>: the spatial means of the
/// channels, read as a 1-channel sequence, go through a bias-free 1-D convolution <c>conv</c> whose odd kernel size k
/// grows with log₂ of the channel count (t = ⌊|log₂ C + β| / γ⌋, k = max(t or t + 1 to be odd, 3)); a sigmoid of
/// the result gates each channel.
/// </summary>
public sealed class EfficientChannelAttention : Module<Tensor, Tensor>
{
    /// <summary>Creates the block for <paramref name="channels"/> channels; the kernel is drawn from <paramref name="random"/>.</summary>
    public EfficientChannelAttention(int channels, Random random, float gamma = 2f, float beta = 1f)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        KernelSize = KernelSizeFor(channels, gamma, beta);
        Conv = RegisterModule("conv", new Conv1d(1, 1, KernelSize, padding: (KernelSize - 1) / 2, bias: false, random: random));
    }

    /// <summary>The 1-D kernel's size.</summary>
    public int KernelSize { get; }

    /// <summary>The bias-free 1-D convolution over the pooled channels (<c>conv.weight</c> [1, 1, k]).</summary>
    public Conv1d Conv { get; }

    /// <summary>The kernel size ECA picks for a channel count.</summary>
    public static int KernelSizeFor(int channels, float gamma = 2f, float beta = 1f)
    {
        int t = (int)(Math.Abs(Math.Log2(channels) + beta) / gamma);
        return Math.Max(t % 2 == 1 ? t : t + 1, 3);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Attend(input).Output;

    /// <summary>The gated maps and the channel gate [N, C, 1, 1].</summary>
    public GatedOutput Attend(Tensor input)
    {
        int n = input.Dims[0], c = input.Dims[1];
        Tensor pooled = GlobalPooling.SpatialMean(input).Reshape(n, 1, c);
        Tensor gate = Conv.Forward(pooled).Sigmoid().Reshape(n, c, 1, 1);
        return new GatedOutput(input.Mul(gate), gate);
    }
}
