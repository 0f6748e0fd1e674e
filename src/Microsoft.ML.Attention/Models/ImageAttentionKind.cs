namespace Microsoft.ML.Attention.Models;

/// <summary>The attention block after each convolution stage of an image attention network.</summary>
public enum ImageAttentionKind
{
    /// <summary>No attention block: the plain backbone.</summary>
    None,

    /// <summary>Squeeze-and-excitation (channel attention; timm's <c>SEModule</c> defaults).</summary>
    SqueezeExcite,

    /// <summary>Efficient channel attention (a 1-D convolution over the pooled channels).</summary>
    EfficientChannel,

    /// <summary>CBAM: channel attention, then spatial attention (whose map the network can output).</summary>
    Cbam,
}
