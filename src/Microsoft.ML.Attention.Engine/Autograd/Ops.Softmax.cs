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
