using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Matrix product of the last two dimensions, op(a)·op(b), where op transposes when asked (without copying).
    /// Shapes: a [..., m, k] with b [k, n] (a's leading dimensions are folded into rows), or a [B..., m, k] with
    /// b [B..., k, n] of the same leading dimensions (batched).
    /// </summary>
    /// <exception cref="ArgumentException">The inner sizes or the batch dimensions do not match.</exception>
    public static Tensor MatMul(this Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank < 2 || b.Rank < 2)
        {
            throw new ArgumentException($"MatMul needs tensors of rank 2 or more; got {ShapeMath.Format(a.Dims)} and {ShapeMath.Format(b.Dims)}.");
        }

        int ar = a.Dims[^2], ac = a.Dims[^1], br = b.Dims[^2], bc = b.Dims[^1];
        int m = transposeA ? ac : ar, k = transposeA ? ar : ac;
        int kb = transposeB ? bc : br, n = transposeB ? br : bc;
        if (k != kb)
        {
            throw new ArgumentException($"MatMul: inner sizes differ: {ShapeMath.Format(a.Dims)}{(transposeA ? "ᵀ" : "")} · {ShapeMath.Format(b.Dims)}{(transposeB ? "ᵀ" : "")} ({k} vs {kb}).");
        }

        int[] outShape;
        int batch;
        bool fold = b.Rank == 2 && !transposeA;
        if (fold)
        {
            batch = 1;
            m = a.Length / Math.Max(1, ac);
            outShape = (int[])a.Dims.Clone();
            outShape[^1] = n;
        }
        else
        {
            if (a.Rank != b.Rank || !a.Dims.AsSpan(0, a.Rank - 2).SequenceEqual(b.Dims.AsSpan(0, b.Rank - 2)))
            {
                throw new ArgumentException($"MatMul: batch dimensions differ: {ShapeMath.Format(a.Dims)} and {ShapeMath.Format(b.Dims)} (a 2-D right operand broadcasts only when the left one is not transposed).");
            }

            batch = a.Length / Math.Max(1, ar * ac);
            outShape = (int[])a.Dims.Clone();
            outShape[^2] = m;
            outShape[^1] = n;
        }

        Tensor c = Tensor.Empty(outShape);
        BatchedGemm(batch, transposeA, transposeB, m, n, k, a, b, c, accumulate: false);
        if (!Recording(a, b))
        {
            return c;
        }

        return Record(c, nameof(MatMul), [a, b], (g, targets) =>
        {
            // Each gradient is added by the GEMM to the one already gathered for its input, when there is one.
            Tensor? ga = null, gb = null, intoA = targets.Existing(0), intoB = targets.Existing(1);
            if (a.RequiresGrad)
            {
                ga = intoA ?? Tensor.Empty(a.Dims);
                if (!transposeA && !transposeB && m == 1 && !fold)
                {
                    // One row per matrix (a decoder step's attention weights): dA = G · Bᵀ as dot products of B's rows.
                    Gemm.MultiplyBatchedRowDots(batch, k, n, g.AsSpan(), n, b.AsSpan(), b.Length / batch, n, ga.AsSpan(), k, intoA is not null);
                }
                else if (!transposeA)
                {
                    // dA = G · op(B)ᵀ
                    BatchedGemm(batch, false, !transposeB, m, k, n, g, b, ga, intoA is not null);
                }
                else
                {
                    // A stored [k, m]: dA = op(B) · Gᵀ
                    BatchedGemm(batch, transposeB, true, k, m, n, b, g, ga, intoA is not null);
                }
            }

            if (b.RequiresGrad)
            {
                gb = intoB ?? Tensor.Empty(b.Dims);
                int bBatch = fold ? 1 : batch;
                if (!transposeB)
                {
                    // dB = op(A)ᵀ · G
                    BatchedGemm(bBatch, !transposeA, false, k, n, m, a, g, gb, intoB is not null);
                }
                else
                {
                    // B stored [n, k]: dB = Gᵀ · op(A)
                    BatchedGemm(bBatch, true, transposeA, n, k, m, g, a, gb, intoB is not null);
                }
            }

            return [intoA is null ? ga : GradientTargets.Added, intoB is null ? gb : GradientTargets.Added];
        });
    }

    /// <summary>
    /// y = x·Wᵀ + b over the last dimension, as <c>torch.nn.functional.linear</c>: x [..., in], W [out, in], b [out].
    /// </summary>
    public static Tensor Linear(this Tensor x, Tensor weight, Tensor? bias = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        int inF = weight.Dims[^1], outF = weight.Dims[0];
        if (weight.Rank != 2 || x.Dims[^1] != inF)
        {
            throw new ArgumentException($"Linear: input of shape {ShapeMath.Format(x.Dims)} does not match weight of shape {ShapeMath.Format(weight.Dims)} (expected input [..., {inF}]).", nameof(x));
        }

        if (bias is not null && (bias.Rank != 1 || bias.Length != outF))
        {
            throw new ArgumentException($"Linear: bias of shape {ShapeMath.Format(bias.Dims)} does not match {outF} output features.", nameof(bias));
        }

        int rows = x.Length / Math.Max(1, inF);
        int[] outShape = (int[])x.Dims.Clone();
        outShape[^1] = outF;
        Tensor y = Tensor.Empty(outShape);
        // The bias is added by the GEMM as it stores each tile, not in a second pass over the output.
        Gemm.Multiply(false, true, rows, outF, inF, x.AsSpan(), inF, weight.AsSpan(), inF, y.AsSpan(), outF, accumulate: false, bias is null ? default : bias.AsSpan());

        bool record = GradMode.IsEnabled && (x.RequiresGrad || weight.RequiresGrad || (bias?.RequiresGrad ?? false));
        if (!record)
        {
            return y;
        }

        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        return Record(y, nameof(Linear), inputs, (g, targets) =>
        {
            // Each GEMM adds to the gradient already gathered for its input when there is one (weights shared by steps).
            var grads = new Tensor?[inputs.Length];
            if (x.RequiresGrad)
            {
                Tensor? into = targets.Existing(0);
                Tensor gx = into ?? Tensor.Empty(x.Dims);
                Gemm.Multiply(false, false, rows, inF, outF, g.AsSpan(), outF, weight.AsSpan(), inF, gx.AsSpan(), inF, accumulate: into is not null);
                grads[0] = into is null ? gx : GradientTargets.Added;
            }

            if (weight.RequiresGrad)
            {
                Tensor? into = targets.Existing(1);
                Tensor gw = into ?? Tensor.Empty(weight.Dims);
                Gemm.Multiply(true, false, outF, inF, rows, g.AsSpan(), outF, x.AsSpan(), inF, gw.AsSpan(), inF, accumulate: into is not null);
                grads[1] = into is null ? gw : GradientTargets.Added;
            }

            if (bias is not null && bias.RequiresGrad)
            {
                grads[2] = TensorMath.SumToShape(g.View([rows, outF]), [outF]);
            }

            return grads;
        });
    }

    private static void BatchedGemm(int batch, bool transA, bool transB, int m, int n, int k, Tensor a, Tensor b, Tensor c, bool accumulate)
    {
        int lda = transA ? m : k, ldb = transB ? k : n;
        int strideA = a.Length / batch, strideB = b.Length / batch;
        Gemm.MultiplyBatched(batch, transA, transB, m, n, k, a.AsSpan(), strideA, lda, b.AsSpan(), strideB, ldb, c.AsSpan(), m * n, n, accumulate);
    }
}
