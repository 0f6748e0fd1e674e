using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Training;

/// <summary>Stops a loss that is not finite with an error naming the loss, the input shape and where the bad values are.</summary>
internal static class LossGuard
{
    internal static void EnsureFinite(string loss, Tensor input, float value)
    {
        if (float.IsFinite(value))
        {
            return;
        }

        ReadOnlySpan<float> xs = input.AsSpan();
        int firstBad = -1, bad = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            if (!float.IsFinite(xs[i]))
            {
                bad++;
                if (firstBad < 0)
                {
                    firstBad = i;
                }
            }
        }

        string where = bad > 0
            ? $"the input holds {bad} NaN/Inf value(s), the first at flat index {firstBad}"
            : "the input is finite, so the targets or weights produced it";
        throw new ArithmeticException($"{loss}: the loss is {value} for input of shape {ShapeMath.Format(input.Dims)}; {where}. Training has diverged or the data holds invalid values.");
    }
}
