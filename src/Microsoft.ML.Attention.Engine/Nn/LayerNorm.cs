using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>Layer normalization over the last dimension (PyTorch <c>nn.LayerNorm</c>; <c>weight</c> = 1, <c>bias</c> = 0).</summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer for vectors of <paramref name="normalizedShape"/> elements.</summary>
    public LayerNorm(int normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(normalizedShape);
        Eps = eps;
        if (elementwiseAffine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(normalizedShape));
            Bias = RegisterParameter("bias", Tensor.Zeros(normalizedShape));
        }
    }

    /// <summary>The variance epsilon.</summary>
    public float Eps { get; }

    /// <summary>The scale, or null without affine parameters.</summary>
    public Tensor? Weight { get; }

    /// <summary>The shift, or null without affine parameters.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.LayerNorm(Weight, Bias, Eps);
}
