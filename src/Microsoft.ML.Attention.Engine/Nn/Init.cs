using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>Parameter initializers matching PyTorch's defaults, drawn from a seeded generator.</summary>
public static class Init
{
    /// <summary>
    /// U(−1/√fanIn, 1/√fanIn): PyTorch's default for Linear and Conv weights (kaiming_uniform with a = √5) and biases.
    /// </summary>
    public static Tensor FanInUniform(Random random, int fanIn, params int[] shape)
    {
        float bound = fanIn > 0 ? 1f / MathF.Sqrt(fanIn) : 0f;
        return Tensor.Uniform(random, -bound, bound, shape);
    }

    /// <summary>Xavier/Glorot uniform: U(−a, a) with a = gain·√(6 / (fanIn + fanOut)).</summary>
    public static Tensor XavierUniform(Random random, int fanIn, int fanOut, float gain = 1f, params int[] shape)
    {
        float a = gain * MathF.Sqrt(6f / (fanIn + fanOut));
        return Tensor.Uniform(random, -a, a, shape);
    }
}
