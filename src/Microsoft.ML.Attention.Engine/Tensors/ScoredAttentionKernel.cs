using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// Attention that keeps the weights, for inference (no tape, no dropout): per (batch, head), the scores L×S by one
/// GEMM straight into the weights tensor, masked and soft-maxed in place row by row (a fully blocked row gets zeros),
/// then the output by one GEMM from those weights. Heads run in parallel.
/// </summary>
internal static class ScoredAttentionKernel
{
    /// <summary>Fills <paramref name="o"/> (in the output layout) and <paramref name="p"/> [B, H, L, S] with the weights.</summary>
    internal static void Forward(AttentionLayout g, Tensor q, Tensor k, Tensor v, Tensor o, Tensor p, AttentionMasking masking)
    {
        CpuParallel.For(g.Batch * g.Heads, bh => Head(g, q, k, v, o, p, masking, bh));
    }

    private static void Head(AttentionLayout g, Tensor q, Tensor k, Tensor v, Tensor o, Tensor p, AttentionMasking masking, int bh)
    {
        int b = bh / g.Heads, h = bh % g.Heads, l = g.QueryLength, s = g.KeyLength, ev = g.ValueDim;
        Span<float> weights = p.AsSpan().Slice(bh * l * s, l * s);
        Span<float> output = o.AsSpan()[g.Output.Offset(b, h, 0)..];
        if (s == 0)
        {
            for (int i = 0; i < l; i++)
            {
                output.Slice(i * g.Output.Row, ev).Clear();
            }

            return;
        }

        Gemm.MultiplySerial(false, true, l, s, g.HeadDim, q.AsSpan()[g.Query.Offset(b, h, 0)..], g.Query.Row, k.AsSpan()[g.Key.Offset(b, h, 0)..], g.Key.Row, weights, s, accumulate: false);
        float[] scratch = new float[s];
        for (int i = 0; i < l; i++)
        {
            Span<float> row = weights.Slice(i * s, s);
            masking.Apply(b, h, i, 0, row, scratch);
            float max = TensorPrimitives.Max(row);
            if (float.IsNegativeInfinity(max) || float.IsNaN(max))
            {
                row.Clear();
                continue;
            }

            float sum = FlashAttentionKernel.ExpInPlace(row, 1f, max);
            TensorPrimitives.Multiply(row, 1f / sum, row);
        }

        Gemm.MultiplySerial(false, false, l, ev, s, weights, s, v.AsSpan()[g.Value.Offset(b, h, 0)..], g.Value.Row, output, g.Output.Row, accumulate: false);
    }
}
