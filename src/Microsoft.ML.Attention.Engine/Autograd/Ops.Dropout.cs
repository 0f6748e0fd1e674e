using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Inverted dropout: in training, zeroes each element with probability <paramref name="p"/> and scales the rest
    /// by 1/(1-p); otherwise returns x unchanged. The mask is a hash of the element index seeded by one draw from <paramref name="random"/>, so runs repeat.
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

        // One draw from the generator seeds a counter-based hash that decides every element (vectorized).
        Tensor mask = Tensor.Empty(x.Dims);
        new DropoutMask(p, (ulong)random.NextInt64(long.MinValue, long.MaxValue)).Fill(0, mask.AsSpan());

        Tensor y = Product(x, mask);
        return Recording(x) ? Record(y, nameof(Dropout), [x], g => [Product(g, mask)]) : y;
    }
}
