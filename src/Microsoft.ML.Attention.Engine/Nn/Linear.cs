using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>y = x·Wᵀ + b over the last dimension (PyTorch <c>nn.Linear</c>; parameters <c>weight</c> [out, in], <c>bias</c> [out]).</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer with PyTorch's default initialization drawn from <paramref name="random"/> (null: <see cref="DefaultGenerator.Next"/>).</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        random ??= DefaultGenerator.Next();
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Init.FanInUniform(random, inFeatures, outFeatures, inFeatures));
        Bias = bias ? RegisterParameter("bias", Init.FanInUniform(random, inFeatures, outFeatures)) : null;
    }

    /// <summary>Input width.</summary>
    public int InFeatures { get; }

    /// <summary>Output width.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight [out, in].</summary>
    public Tensor Weight { get; }

    /// <summary>The bias [out], or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Linear(Weight, Bias);
}
