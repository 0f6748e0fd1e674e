namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// The sizes of one 2-D convolution over one image and group: channels, input, kernel, stride, zero padding of the
/// rows and of the columns, output.
/// </summary>
internal readonly record struct ConvGeometry(int Channels, int H, int W, int KH, int KW, int Stride, int PadH, int PadW)
{
    internal int OutH => (H + 2 * PadH - KH) / Stride + 1;

    internal int OutW => (W + 2 * PadW - KW) / Stride + 1;

    /// <summary>Output positions per image.</summary>
    internal int Positions => OutH * OutW;

    /// <summary>Rows of the column matrix: channels × kernel height × kernel width.</summary>
    internal int Patch => Channels * KH * KW;
}
