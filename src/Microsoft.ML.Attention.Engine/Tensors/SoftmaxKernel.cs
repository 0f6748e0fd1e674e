using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>Row-wise softmax and log-softmax, forward and backward, with max subtraction and all-masked rows as zeros.</summary>
internal static class SoftmaxKernel
{
    internal static void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int n, bool log)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * n, n);
            Span<float> yr = y.Slice(r * n, n);
            float max = TensorPrimitives.Max(xr);
            if (float.IsNegativeInfinity(max))
            {
                // Every position is masked: no distribution exists; give zeros (log: -inf) rather than NaN.
                yr.Fill(log ? float.NegativeInfinity : 0f);
                continue;
            }

            TensorPrimitives.Subtract(xr, max, yr);
            if (log)
            {
                float sum = 0f;
                foreach (float v in yr)
                {
                    sum += MathF.Exp(v);
                }

                TensorPrimitives.Subtract(yr, MathF.Log(sum), yr);
            }
            else
            {
                TensorPrimitives.Exp(yr, yr);
                float sum = TensorPrimitives.Sum<float>(yr);
                TensorPrimitives.Multiply(yr, 1f / sum, yr);
            }
        }
    }

    /// <summary>Gradient w.r.t. the input given the forward output <paramref name="y"/> and the output gradient.</summary>
    internal static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> gx, int rows, int n, bool log)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> yr = y.Slice(r * n, n);
            ReadOnlySpan<float> gr = g.Slice(r * n, n);
            Span<float> gxr = gx.Slice(r * n, n);
            if (log)
            {
                if (float.IsNegativeInfinity(yr[0]) && float.IsNegativeInfinity(TensorPrimitives.Max(yr)))
                {
                    gxr.Clear();
                    continue;
                }

                // gx = g - softmax * sum(g)
                float sum = TensorPrimitives.Sum(gr);
                for (int i = 0; i < n; i++)
                {
                    gxr[i] = gr[i] - MathF.Exp(yr[i]) * sum;
                }
            }
            else
            {
                // gx = y * (g - sum(g * y)); all-masked rows have y = 0 and so get 0.
                float dot = TensorPrimitives.Dot(gr, yr);
                TensorPrimitives.Subtract(gr, dot, gxr);
                TensorPrimitives.Multiply(gxr, yr, gxr);
            }
        }
    }
}
