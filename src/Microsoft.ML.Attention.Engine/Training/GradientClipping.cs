using Microsoft.ML.Attention.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Training;

/// <summary>Gradient-norm clipping (PyTorch <c>nn.utils.clip_grad_norm_</c>).</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients so that their joint L2 norm is at most <paramref name="maxNorm"/>; returns the norm
    /// before clipping.
    /// </summary>
    /// <exception cref="ArithmeticException">The norm is NaN or infinite (training has diverged) and <paramref name="errorIfNonFinite"/> is set.</exception>
    public static float ClipGradNorm(IEnumerable<Tensor> parameters, float maxNorm, bool errorIfNonFinite = true)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Tensor[] withGrad = [.. parameters.Where(p => p.Grad is not null)];
        double sq = 0;
        foreach (Tensor p in withGrad)
        {
            ReadOnlySpan<float> g = p.Grad!.AsSpan();
            sq += TensorPrimitives.Dot(g, g);
        }

        float norm = (float)Math.Sqrt(sq);
        if (!float.IsFinite(norm) && errorIfNonFinite)
        {
            throw new ArithmeticException($"The total gradient norm over {withGrad.Length} parameters is {norm}: training has diverged (lower the learning rate or check the data).");
        }

        float coef = maxNorm / (norm + 1e-6f);
        if (coef < 1f)
        {
            foreach (Tensor p in withGrad)
            {
                Span<float> g = p.Grad!.AsSpan();
                TensorPrimitives.Multiply(g, coef, g);
            }
        }

        return norm;
    }
}
