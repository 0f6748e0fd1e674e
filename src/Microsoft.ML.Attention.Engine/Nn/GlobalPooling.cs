using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>Average and maximum over the spatial or the channel dimension of [N, C, H, W] maps, kept as size-1 dimensions.</summary>
public static class GlobalPooling
{
    /// <summary>The mean of each channel's map: [N, C, 1, 1].</summary>
    public static Tensor SpatialMean(Tensor x) => Flat(x).Mean(2, keepDim: true).Reshape(x.Dims[0], x.Dims[1], 1, 1);

    /// <summary>The largest value of each channel's map: [N, C, 1, 1].</summary>
    public static Tensor SpatialMax(Tensor x) => Flat(x).Max(2, keepDim: true).Values.Reshape(x.Dims[0], x.Dims[1], 1, 1);

    /// <summary>The mean over channels at each position: [N, 1, H, W].</summary>
    public static Tensor ChannelMean(Tensor x) => Checked(x).Mean(1, keepDim: true);

    /// <summary>The largest channel at each position: [N, 1, H, W].</summary>
    public static Tensor ChannelMax(Tensor x) => Checked(x).Max(1, keepDim: true).Values;

    private static Tensor Flat(Tensor x) => Checked(x).Reshape(x.Dims[0], x.Dims[1], x.Dims[2] * x.Dims[3]);

    private static Tensor Checked(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Rank == 4
            ? x
            : throw new ArgumentException($"Expected feature maps [N, C, H, W]; got shape {ShapeMath.Format(x.Dims)}.", nameof(x));
    }
}
