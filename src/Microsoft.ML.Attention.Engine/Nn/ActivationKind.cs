namespace Microsoft.ML.Attention.Nn;

/// <summary>The elementwise activations.</summary>
public enum ActivationKind
{
    /// <summary>max(x, 0).</summary>
    Relu,

    /// <summary>x·Φ(x), exact (erf) form.</summary>
    Gelu,

    /// <summary>x·σ(x).</summary>
    Silu,

    /// <summary>1 / (1 + e^−x).</summary>
    Sigmoid,

    /// <summary>tanh(x).</summary>
    Tanh,

    /// <summary>relu6(x + 3) / 6, the piecewise-linear sigmoid of MobileNetV3 and timm's SE gates.</summary>
    HardSigmoid,
}
