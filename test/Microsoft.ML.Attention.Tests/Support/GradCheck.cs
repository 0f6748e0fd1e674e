using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Tests.Support;

/// <summary>
/// Finite-difference gradient check: the analytic gradient of L = Σ f(x)·R (R fixed random) against central
/// differences of L, element by element (sampled for large tensors).
/// </summary>
internal static class GradCheck
{
    internal static void Verify(Func<Tensor[], Tensor> f, Tensor[] inputs, string what, float eps = 1e-2f, float rtol = 2e-2f, float atol = 2e-3f, int maxElements = 48)
    {
        foreach (Tensor x in inputs)
        {
            x.RequiresGrad = true;
            x.Grad = null;
        }

        Tensor y = f(inputs);
        Tensor r = Tensor.Randn(new Random(7), 1f, y.Shape);
        y.Mul(r).Sum().Backward();
        var random = new Random(11);
        for (int k = 0; k < inputs.Length; k++)
        {
            Tensor x = inputs[k];
            Assert.IsNotNull(x.Grad, $"{what}: input {k} got no gradient.");
            float[] analytic = x.Grad!.ToArray();
            IEnumerable<int> positions = x.Length <= maxElements
                ? Enumerable.Range(0, x.Length)
                : Enumerable.Range(0, maxElements).Select(_ => random.Next(x.Length)).Distinct();
            foreach (int i in positions)
            {
                float saved = x.AsSpan()[i];
                x.AsSpan()[i] = saved + eps;
                double plus = Loss(f, inputs, r);
                x.AsSpan()[i] = saved - eps;
                double minus = Loss(f, inputs, r);
                x.AsSpan()[i] = saved;
                double numeric = (plus - minus) / (2 * eps);
                double tol = rtol * Math.Abs(numeric) + atol * Math.Max(1, Math.Abs(plus) / 100);
                Assert.IsTrue(Math.Abs(numeric - analytic[i]) <= tol,
                    $"{what}: input {k} element {i}: analytic {analytic[i]} vs numeric {numeric} (tolerance {tol}).");
            }
        }
    }

    private static double Loss(Func<Tensor[], Tensor> f, Tensor[] inputs, Tensor r)
    {
        using (GradMode.NoGrad())
        {
            ReadOnlySpan<float> y = f(inputs).AsSpan();
            ReadOnlySpan<float> rs = r.AsSpan();
            double sum = 0;
            for (int i = 0; i < y.Length; i++)
            {
                sum += (double)y[i] * rs[i];
            }

            return sum;
        }
    }

    internal static Tensor Rand(int seed, params int[] shape) => Tensor.Randn(new Random(seed), 1f, shape);
}
