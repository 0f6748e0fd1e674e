namespace Microsoft.ML.Attention.Tensors;

/// <summary>What <c>GridSample</c> reads outside the image (PyTorch's <c>padding_mode</c>).</summary>
public enum GridPaddingMode
{
    /// <summary>Zero outside the image.</summary>
    Zeros,

    /// <summary>The nearest edge pixel: coordinates are clamped to the image.</summary>
    Border,
}
