using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Inverted dropout: in training, zeroes each element with probability <paramref name="p"/> and scales the rest
    /// by 1/(1-p); otherwise returns x unchanged. The mask is drawn from <paramref name="random"/>, so runs repeat.
    /// </summary>
    public static Tensor Dropout(this Tensor x, float p, bool training, Random random)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(random);
        if (p < 0f || p >= 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(p), $"Dropout probability must be in [0, 1); got {p}.");
        }

        if (!training || p == 0f)
        {
            return x;
        }

        Tensor mask = Tensor.Empty(x.Dims);
        Span<float> ms = mask.AsSpan();
        float scale = 1f / (1f - p);
        for (int i = 0; i < ms.Length; i++)
        {
            ms[i] = random.NextSingle() < p ? 0f : scale;
        }

        Tensor y = Product(x, mask);
        return Recording(x) ? Record(y, nameof(Dropout), [x], g => [Product(g, mask)]) : y;
    }
}
