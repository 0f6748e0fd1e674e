namespace Microsoft.ML.Attention.Models;

/// <summary>The planar layout of one image's pixel vector: channels × height × width.</summary>
/// <param name="Channels">Colour planes (1 for grey, 3 for R, G, B).</param>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns.</param>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    /// <summary>Values per image.</summary>
    public int Size => Channels * Height * Width;

    /// <inheritdoc/>
    public override string ToString() => $"{Channels}×{Height}×{Width}";
}
