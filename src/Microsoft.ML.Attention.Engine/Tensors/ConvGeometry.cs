namespace Microsoft.ML.Attention.Tensors;

/// <summary>The sizes of one 2-D convolution over one image and group: channels, input, kernel, stride, padding, output.</summary>
internal readonly record struct ConvGeometry(int Channels, int H, int W, int KH, int KW, int Stride, int Padding)
{
    internal int OutH => (H + 2 * Padding - KH) / Stride + 1;

    internal int OutW => (W + 2 * Padding - KW) / Stride + 1;
}
