namespace Microsoft.ML.Attention.Models;

/// <summary>How the last stage's feature maps become one vector before the head.</summary>
public enum ImagePooling
{
    /// <summary>The mean of each channel (any image size; where an object is does not matter).</summary>
    GlobalAverage,

    /// <summary>All the maps' values, flattened (position-aware; the head grows with the image).</summary>
    Flatten,
}
