using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Numerically stable softmax along <paramref name="dim"/>. A slice whose values are all -∞ (every position
    /// masked) gives zeros, not NaN, in forward and backward.
    /// </summary>
    public static Tensor Softmax(this Tensor x, int dim = -1) => SoftmaxCore(x, dim, log: false);

    /// <summary>Numerically stable log-softmax along <paramref name="dim"/>.</summary>
    public static Tensor LogSoftmax(this Tensor x, int dim = -1) => SoftmaxCore(x, dim, log: true);

    /// <summary>
    /// Softmax along the last dimension of <paramref name="x"/> [B, …, S] leaving out the positions where
    /// <paramref name="paddingMask"/> [B, S] is non-zero (weight 0, as a score of −∞ would give, without building that
    /// bias); a row with every position left out gives zeros. The mask is a constant (no gradient flows to it).
    /// </summary>
    /// <param name="x">The scores.</param>
    /// <param name="paddingMask">The mask.</param>
    /// <param name="maskName">The caller's name for the mask, in the error a wrong shape gets.</param>
    internal static Tensor MaskedSoftmax(Tensor x, Tensor paddingMask, string maskName = "paddingMask")
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(paddingMask);
        int b = x.Dims[0], n = x.Dims[^1];
        if (x.Rank < 2 || paddingMask.Rank != 2 || paddingMask.Dims[0] != b || paddingMask.Dims[1] != n)
        {
            throw new ArgumentException($"{maskName} has shape {ShapeMath.Format(paddingMask.Dims)}; expected [batch, positions] = [{b}, {n}] for scores of shape {ShapeMath.Format(x.Dims)}.", maskName);
        }

        Tensor y = Tensor.Empty(x.Dims);
        int rows = n == 0 ? 0 : x.Length / n;
        SoftmaxKernel.Forward(x.AsSpan(), y.AsSpan(), rows, n, log: false, paddingMask.AsSpan(), rowsPerMaskRow: b == 0 ? 1 : rows / b);
        if (!Recording(x))
        {
            return y;
        }

        Tensor saved = y.Detach();
        return Record(y, nameof(MaskedSoftmax), [x], g =>
        {
            Tensor gx = Tensor.Empty(g.Dims);
            SoftmaxKernel.Backward(saved.AsSpan(), g.AsSpan(), gx.AsSpan(), rows, n, log: false);
            return [gx];
        });
    }

    private static Tensor SoftmaxCore(Tensor x, int dim, bool log)
    {
        ArgumentNullException.ThrowIfNull(x);
        int d = ShapeMath.NormalizeDim(dim, x.Rank);
        bool last = d == x.Rank - 1;
        Tensor src = last ? x : PermuteData(x, MoveToEnd(x.Rank, d));
        Tensor y = Tensor.Empty(src.Dims);
        int n = src.Dims[^1];
        int rows = n == 0 ? 0 : src.Length / n;
        SoftmaxKernel.Forward(src.AsSpan(), y.AsSpan(), rows, n, log);
        Tensor result = last ? y : PermuteData(y, MoveBack(x.Rank, d));
        if (!Recording(x))
        {
            return result;
        }

        Tensor saved = y.Detach();
        return Record(result, log ? nameof(LogSoftmax) : nameof(Softmax), [x], g =>
        {
            Tensor gl = last ? g : PermuteData(g, MoveToEnd(x.Rank, d));
            Tensor gx = Tensor.Empty(gl.Dims);
            SoftmaxKernel.Backward(saved.AsSpan(), gl.AsSpan(), gx.AsSpan(), rows, n, log);
            return [last ? gx : PermuteData(gx, MoveBack(x.Rank, d))];
        });
    }

    private static int[] MoveToEnd(int rank, int d)
    {
        var perm = new List<int>(Enumerable.Range(0, rank));
        perm.RemoveAt(d);
        perm.Add(d);
        return [.. perm];
    }

    private static int[] MoveBack(int rank, int d)
    {
        int[] forward = MoveToEnd(rank, d);
        int[] inverse = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            inverse[forward[i]] = i;
        }

        return inverse;
    }
}
