using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// One backbone stage: 3×3 convolution + batch normalization + ReLU (<c>convs.0</c>, <c>convs.1</c>, …), the attention
/// block (<c>attention</c>, if any), then 2×2 max pooling.
/// </summary>
public sealed class ImageAttentionStage : Module
{
    private readonly ModuleList _convs;

    /// <summary>Builds the stage from <paramref name="inChannels"/> to <paramref name="outChannels"/>.</summary>
    public ImageAttentionStage(int inChannels, int outChannels, int convolutions, ImageAttentionKind attention, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        _convs = RegisterModule("convs", new ModuleList());
        for (int i = 0; i < convolutions; i++)
        {
            _convs.Add(new ConvBatchNorm(i == 0 ? inChannels : outChannels, outChannels, 3, random, activation: ActivationKind.Relu));
        }

        Kind = attention;
        Attention = attention switch
        {
            ImageAttentionKind.SqueezeExcite => RegisterModule("attention", new SqueezeExcite(outChannels, random)),
            ImageAttentionKind.EfficientChannel => RegisterModule("attention", new EfficientChannelAttention(outChannels, random)),
            ImageAttentionKind.Cbam => RegisterModule("attention", new Cbam(outChannels, random)),
            _ => null,
        };
    }

    /// <summary>The attention block kind.</summary>
    public ImageAttentionKind Kind { get; }

    /// <summary>The stage's convolutions (3×3 convolution + batch norm + ReLU), in order.</summary>
    public IEnumerable<ConvBatchNorm> Convolutions => _convs.Items.Cast<ConvBatchNorm>();

    /// <summary>The attention block, or null.</summary>
    public Module<Tensor, Tensor>? Attention { get; }

    /// <summary>
    /// The stage's pooled output and its map before pooling, [N, 1, H, W]: CBAM's spatial gate, or (for the other
    /// blocks, when <paramref name="wantMap"/>) the channel-mean activation scaled to [0, 1] per image; null otherwise.
    /// </summary>
    public (Tensor Output, Tensor? Map) Forward(Tensor input, bool wantMap)
    {
        Tensor x = input;
        foreach (Module conv in _convs.Items)
        {
            x = ((ConvBatchNorm)conv).Forward(x);
        }

        Tensor? map = null;
        if (Attention is Cbam cbam)
        {
            CbamOutput o = cbam.Attend(x);
            x = o.Output;
            map = o.SpatialGate;
        }
        else if (Attention is not null)
        {
            x = Attention.Forward(x);
        }

        if (wantMap && map is null)
        {
            map = ActivationMap(x);
        }

        return (x.Size(2) >= 2 && x.Size(3) >= 2 ? x.MaxPool2d(2) : x, map);
    }

    /// <summary>The channel mean at each position divided by its largest value in the image (zero maps stay zero).</summary>
    private static Tensor ActivationMap(Tensor x)
    {
        using (GradMode.NoGrad())
        {
            Tensor mean = GlobalPooling.ChannelMean(x);
            int n = x.Size(0), hw = x.Size(2) * x.Size(3);
            Span<float> m = mean.AsSpan();
            for (int i = 0; i < n; i++)
            {
                Span<float> plane = m.Slice(i * hw, hw);
                float peak = System.Numerics.Tensors.TensorPrimitives.Max(plane);
                if (peak > 0f)
                {
                    System.Numerics.Tensors.TensorPrimitives.Multiply(plane, 1f / peak, plane);
                }
            }

            return mean;
        }
    }
}
