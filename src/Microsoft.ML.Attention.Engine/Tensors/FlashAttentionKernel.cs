using System.Numerics;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// Fused scaled dot-product attention, FlashAttention-2 style on the CPU: the scores of a block of queries against
/// a block of keys are computed, masked, and folded into an online softmax (running max and sum per row) and the
/// output accumulator, so no L×S matrix is ever held. Memory is O(block² + L·E) per core. Backward recomputes the
/// scores from the saved log-sum-exp per row. A row whose keys are all blocked gives zeros, in both directions.
/// Work is spread over (batch, head, query block) in forward and over (batch, head) in backward.
/// </summary>
internal static class FlashAttentionKernel
{
    internal const int QueryBlock = 64;
    internal const int KeyBlock = 128;

    [ThreadStatic]
    private static float[]? t_forwardScratch;

    /// <summary>
    /// Computes the output and, when <paramref name="lse"/> is given (for backward), the log-sum-exp of every query row
    /// ([B·H·L], −∞ for fully blocked rows).
    /// </summary>
    internal static void Forward(AttentionLayout g, Tensor q, Tensor k, Tensor v, Tensor o, float[]? lse, AttentionMasking masking, DropoutMask dropout)
    {
        int queryBlocks = (g.QueryLength + QueryBlock - 1) / QueryBlock;
        int tasks = g.Batch * g.Heads * queryBlocks;
        if (g.KeyLength == 0)
        {
            o.AsSpan().Clear();
            lse?.AsSpan().Fill(float.NegativeInfinity);
            return;
        }

        CpuParallel.For(tasks, t => ForwardBlock(g, q, k, v, o, lse, masking, dropout, t / queryBlocks, t % queryBlocks * QueryBlock));
    }

    /// <summary>Gradients of q, k and v given the output gradient <paramref name="dO"/> (laid out as the output).</summary>
    internal static void Backward(
        AttentionLayout g, Tensor q, Tensor k, Tensor v, Tensor o, Tensor dO, float[] lse, AttentionMasking masking, DropoutMask dropout,
        Tensor dq, Tensor dk, Tensor dv)
    {
        dq.AsSpan().Clear();
        dk.AsSpan().Clear();
        dv.AsSpan().Clear();
        if (g.KeyLength == 0 || g.QueryLength == 0)
        {
            return;
        }

        CpuParallel.For(g.Batch * g.Heads, bh => BackwardHead(g, q, k, v, o, dO, lse, masking, dropout, dq, dk, dv, bh));
    }

    private static void ForwardBlock(AttentionLayout g, Tensor q, Tensor k, Tensor v, Tensor o, float[]? lse, AttentionMasking masking, DropoutMask dropout, int bh, int i0)
    {
        int b = bh / g.Heads, h = bh % g.Heads;
        int rows = Math.Min(QueryBlock, g.QueryLength - i0);
        int e = g.HeadDim, ev = g.ValueDim, s = g.KeyLength;
        int keyEnd = masking.Causal ? Math.Min(s, i0 + rows) : s;

        // One scratch buffer per thread, reused across blocks and calls: scores, accumulators, max, sum, mask scratch.
        int scoresLength = QueryBlock * KeyBlock, accLength = QueryBlock * ev;
        bool narrow = e <= SmallHeadKernel.MaxHeadDim && ev <= SmallHeadKernel.MaxHeadDim;
        int needed = scoresLength + accLength + 2 * QueryBlock + KeyBlock + (narrow ? e * KeyBlock : 0);
        float[] scratchAll = t_forwardScratch is { } buffer && buffer.Length >= needed ? buffer : (t_forwardScratch = new float[needed]);
        Span<float> scores = scratchAll.AsSpan(0, scoresLength);
        Span<float> accs = scratchAll.AsSpan(scoresLength, rows * ev);
        Span<float> max = scratchAll.AsSpan(scoresLength + accLength, rows);
        Span<float> sum = scratchAll.AsSpan(scoresLength + accLength + QueryBlock, rows);
        Span<float> scratch = scratchAll.AsSpan(scoresLength + accLength + 2 * QueryBlock, KeyBlock);
        Span<float> transposed = narrow ? scratchAll.AsSpan(scoresLength + accLength + 2 * QueryBlock + KeyBlock, e * KeyBlock) : default;
        accs.Clear();
        max.Fill(float.NegativeInfinity);
        sum.Clear();
        ReadOnlySpan<float> qs = q.AsSpan()[g.Query.Offset(b, h, i0)..];
        for (int j0 = 0; j0 < keyEnd; j0 += KeyBlock)
        {
            int cols = Math.Min(KeyBlock, keyEnd - j0);
            Span<float> block = scores[..(rows * cols)];
            if (narrow)
            {
                SmallHeadKernel.Scores(qs, g.Query.Row, k.AsSpan()[g.Key.Offset(b, h, j0)..], g.Key.Row, rows, cols, e, block, transposed);
            }
            else
            {
                Gemm.MultiplySerial(false, true, rows, cols, e, qs, g.Query.Row, k.AsSpan()[g.Key.Offset(b, h, j0)..], g.Key.Row, block, cols, accumulate: false);
            }

            bool any = false;
            for (int r = 0; r < rows; r++)
            {
                Span<float> row = block.Slice(r * cols, cols);
                float rowScale = masking.Scale;
                if (masking.HasMasks || rowScale <= 0f)
                {
                    masking.Apply(b, h, i0 + r, j0, row, scratch);
                    rowScale = 1f;
                }

                // Without masks the scale is folded into the exponent: exp(scale·x − max) with max = scale·max(x).
                float previous = max[r];
                float newMax = Math.Max(previous, rowScale * RowMax(row));
                if (float.IsNegativeInfinity(newMax))
                {
                    row.Clear();
                    continue;
                }

                any = true;
                float rowSum = ExpInPlace(row, rowScale, newMax);
                if (float.IsNegativeInfinity(previous))
                {
                    // Nothing accumulated yet for this row: no rescaling.
                    sum[r] = rowSum;
                }
                else
                {
                    float alpha = MathF.Exp(previous - newMax);
                    sum[r] = sum[r] * alpha + rowSum;
                    if (alpha != 1f)
                    {
                        Span<float> accRow = accs.Slice(r * ev, ev);
                        TensorPrimitives.Multiply(accRow, alpha, accRow);
                    }
                }

                max[r] = newMax;
                if (dropout.IsActive)
                {
                    dropout.Apply(bh, i0 + r, s, g.QueryLength, j0, row);
                }
            }

            if (any && narrow)
            {
                SmallHeadKernel.AccumulateValues(block, rows, cols, v.AsSpan()[g.Value.Offset(b, h, j0)..], g.Value.Row, ev, accs);
            }
            else if (any)
            {
                Gemm.MultiplySerial(false, false, rows, ev, cols, block, cols, v.AsSpan()[g.Value.Offset(b, h, j0)..], g.Value.Row, accs, ev, accumulate: true);
            }
        }

        Span<float> os = o.AsSpan();
        for (int r = 0; r < rows; r++)
        {
            Span<float> target = os.Slice(g.Output.Offset(b, h, i0 + r), ev);
            if (sum[r] > 0f)
            {
                ScaleInto(accs.Slice(r * ev, ev), 1f / sum[r], target);
                if (lse is not null)
                {
                    lse[bh * g.QueryLength + i0 + r] = max[r] + MathF.Log(sum[r]);
                }
            }
            else
            {
                target.Clear();
                if (lse is not null)
                {
                    lse[bh * g.QueryLength + i0 + r] = float.NegativeInfinity;
                }
            }
        }
    }

    /// <summary>target[j] = source[j] · factor (short rows: no per-call dispatch).</summary>
    private static void ScaleInto(ReadOnlySpan<float> source, float factor, Span<float> target)
    {
        ref float s0 = ref MemoryMarshal.GetReference(source);
        ref float t0 = ref MemoryMarshal.GetReference(target);
        int n = Math.Min(source.Length, target.Length), j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> f = Vector512.Create(factor);
            for (; j + 16 <= n; j += 16)
            {
                (Vector512.LoadUnsafe(ref Unsafe.Add(ref s0, j)) * f).StoreUnsafe(ref Unsafe.Add(ref t0, j));
            }
        }

        var fw = new Vector<float>(factor);
        for (; j + Vector<float>.Count <= n; j += Vector<float>.Count)
        {
            (Vector.LoadUnsafe(ref Unsafe.Add(ref s0, j)) * fw).StoreUnsafe(ref Unsafe.Add(ref t0, j));
        }

        for (; j < n; j++)
        {
            Unsafe.Add(ref t0, j) = Unsafe.Add(ref s0, j) * factor;
        }
    }

    /// <summary>The largest element of the row (−∞ when empty); a NaN makes the result NaN, as in <c>TensorPrimitives.Max</c>.</summary>
    private static float RowMax(ReadOnlySpan<float> row)
    {
        ref float r0 = ref MemoryMarshal.GetReference(row);
        int n = row.Length, j = 0;
        float best = float.NegativeInfinity;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            Vector512<float> m = Vector512.LoadUnsafe(ref r0);
            for (j = 16; j + 16 <= n; j += 16)
            {
                m = Vector512.Max(m, Vector512.LoadUnsafe(ref Unsafe.Add(ref r0, j)));
            }

            Vector256<float> m8 = Vector256.Max(m.GetLower(), m.GetUpper());
            Vector128<float> m4 = Vector128.Max(m8.GetLower(), m8.GetUpper());
            best = Math.Max(Math.Max(m4[0], m4[1]), Math.Max(m4[2], m4[3]));
        }
        else if (n >= Vector<float>.Count)
        {
            Vector<float> m = Vector.LoadUnsafe(ref r0);
            for (j = Vector<float>.Count; j + Vector<float>.Count <= n; j += Vector<float>.Count)
            {
                m = Vector.Max(m, Vector.LoadUnsafe(ref Unsafe.Add(ref r0, j)));
            }

            for (int i = 0; i < Vector<float>.Count; i++)
            {
                best = Math.Max(best, m[i]);
            }

        }

        for (; j < n; j++)
        {
            best = Math.Max(best, Unsafe.Add(ref r0, j));
        }

        return best;
    }

    private static void BackwardHead(
        AttentionLayout g, Tensor q, Tensor k, Tensor v, Tensor o, Tensor dO, float[] lse, AttentionMasking masking, DropoutMask dropout,
        Tensor dq, Tensor dk, Tensor dv, int bh)
    {
        int b = bh / g.Heads, h = bh % g.Heads;
        int l = g.QueryLength, s = g.KeyLength, e = g.HeadDim, ev = g.ValueDim;
        var pool = ArrayPool<float>.Shared;
        float[] delta = pool.Rent(l), dqAcc = pool.Rent(l * e), dkAcc = pool.Rent(s * e), dvAcc = pool.Rent(s * ev);
        float[] p = pool.Rent(QueryBlock * KeyBlock), pd = pool.Rent(QueryBlock * KeyBlock), dp = pool.Rent(QueryBlock * KeyBlock), scratch = pool.Rent(KeyBlock);
        try
        {
            ReadOnlySpan<float> qs = q.AsSpan(), ks = k.AsSpan(), vs = v.AsSpan(), os = o.AsSpan(), dos = dO.AsSpan();
            for (int i = 0; i < l; i++)
            {
                delta[i] = TensorPrimitives.Dot(dos.Slice(g.Output.Offset(b, h, i), ev), os.Slice(g.Output.Offset(b, h, i), ev));
            }

            Span<float> dqs = dqAcc.AsSpan(0, l * e), dks = dkAcc.AsSpan(0, s * e), dvs = dvAcc.AsSpan(0, s * ev);
            dqs.Clear();
            dks.Clear();
            dvs.Clear();
            for (int j0 = 0; j0 < s; j0 += KeyBlock)
            {
                int cols = Math.Min(KeyBlock, s - j0);
                ReadOnlySpan<float> kj = ks[g.Key.Offset(b, h, j0)..], vj = vs[g.Value.Offset(b, h, j0)..];
                for (int i0 = masking.Causal ? Math.Min(j0, l) : 0; i0 < l; i0 += QueryBlock)
                {
                    int rows = Math.Min(QueryBlock, l - i0);
                    ReadOnlySpan<float> qi = qs[g.Query.Offset(b, h, i0)..], doi = dos[g.Output.Offset(b, h, i0)..];
                    Span<float> pb = p.AsSpan(0, rows * cols);
                    Gemm.MultiplySerial(false, true, rows, cols, e, qi, g.Query.Row, kj, g.Key.Row, pb, cols, accumulate: false);
                    bool any = false;
                    for (int r = 0; r < rows; r++)
                    {
                        Span<float> row = pb.Slice(r * cols, cols);
                        float rowLse = lse[bh * l + i0 + r];
                        if (float.IsNegativeInfinity(rowLse))
                        {
                            row.Clear();
                            continue;
                        }

                        any = true;
                        float rowScale = masking.Scale;
                        if (masking.HasMasks || rowScale <= 0f)
                        {
                            masking.Apply(b, h, i0 + r, j0, row, scratch);
                            rowScale = 1f;
                        }

                        ExpInPlace(row, rowScale, rowLse);
                    }

                    if (!any)
                    {
                        continue;
                    }

                    Span<float> pdb = pb;
                    if (dropout.IsActive)
                    {
                        pdb = pd.AsSpan(0, rows * cols);
                        pb.CopyTo(pdb);
                        for (int r = 0; r < rows; r++)
                        {
                            dropout.Apply(bh, i0 + r, s, l, j0, pdb.Slice(r * cols, cols));
                        }
                    }

                    // dV_j += P̃ᵀ · dO_i
                    Gemm.MultiplySerial(true, false, cols, ev, rows, pdb, cols, doi, g.Output.Row, dvs[(j0 * ev)..], ev, accumulate: true);

                    // dP = dO_i · V_jᵀ (through dropout), dS = P ∘ (dP − Δ) · scale
                    Span<float> dpb = dp.AsSpan(0, rows * cols);
                    Gemm.MultiplySerial(false, true, rows, cols, ev, doi, g.Output.Row, vj, g.Value.Row, dpb, cols, accumulate: false);
                    for (int r = 0; r < rows; r++)
                    {
                        Span<float> row = dpb.Slice(r * cols, cols);
                        if (dropout.IsActive)
                        {
                            dropout.Apply(bh, i0 + r, s, l, j0, row);
                        }

                        ScaledGradient(row, pb.Slice(r * cols, cols), delta[i0 + r], masking.Scale);
                    }

                    // dQ_i += dS · K_j ; dK_j += dSᵀ · Q_i
                    Gemm.MultiplySerial(false, false, rows, e, cols, dpb, cols, kj, g.Key.Row, dqs[(i0 * e)..], e, accumulate: true);
                    Gemm.MultiplySerial(true, false, cols, e, rows, dpb, cols, qi, g.Query.Row, dks[(j0 * e)..], e, accumulate: true);
                }
            }

            Scatter(dqs, dq.AsSpan(), g.Query, b, h, l, e);
            Scatter(dks, dk.AsSpan(), g.Key, b, h, s, e);
            Scatter(dvs, dv.AsSpan(), g.Value, b, h, s, ev);
        }
        finally
        {
            pool.Return(delta);
            pool.Return(dqAcc);
            pool.Return(dkAcc);
            pool.Return(dvAcc);
            pool.Return(p);
            pool.Return(pd);
            pool.Return(dp);
            pool.Return(scratch);
        }
    }

    /// <summary>row[j] = exp(scale · row[j] − shift) in one pass; returns the sum of the results.</summary>
    internal static float ExpInPlace(Span<float> row, float scale, float shift)
    {
        ref float r0 = ref MemoryMarshal.GetReference(row);
        int n = row.Length, j = 0;
        float total = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            Vector512<float> vs = Vector512.Create(scale), vshift = Vector512.Create(shift), acc = Vector512<float>.Zero;
            for (; j + 16 <= n; j += 16)
            {
                ref float at = ref Unsafe.Add(ref r0, j);
                Vector512<float> e = VectorExp.Exp(Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref at), vs, -vshift));
                e.StoreUnsafe(ref at);
                acc += e;
            }

            total = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<float> vs = Vector256.Create(scale), vshift = Vector256.Create(shift), acc = Vector256<float>.Zero;
            for (; j + 8 <= n; j += 8)
            {
                ref float at = ref Unsafe.Add(ref r0, j);
                Vector256<float> e = VectorExp.Exp(Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref at), vs, -vshift));
                e.StoreUnsafe(ref at);
                acc += e;
            }

            total = Vector256.Sum(acc);
        }

        for (; j < n; j++)
        {
            float e = MathF.Exp(MathF.FusedMultiplyAdd(row[j], scale, -shift));
            row[j] = e;
            total += e;
        }

        return total;
    }

    /// <summary>dS = P ∘ (dP − Δ) · scale, in place over <paramref name="dp"/>.</summary>
    private static void ScaledGradient(Span<float> dp, ReadOnlySpan<float> p, float delta, float scale)
    {
        int n = dp.Length, j = 0;
        ref float d0 = ref MemoryMarshal.GetReference(dp);
        ref float p0 = ref MemoryMarshal.GetReference(p);
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> vd = Vector512.Create(delta), vs = Vector512.Create(scale);
            for (; j + 16 <= n; j += 16)
            {
                ref float at = ref Unsafe.Add(ref d0, j);
                ((Vector512.LoadUnsafe(ref at) - vd) * Vector512.LoadUnsafe(ref Unsafe.Add(ref p0, j)) * vs).StoreUnsafe(ref at);
            }
        }

        Vector<float> wd = new(delta), ws = new(scale);
        for (; j + Vector<float>.Count <= n; j += Vector<float>.Count)
        {
            ref float at = ref Unsafe.Add(ref d0, j);
            ((Vector.LoadUnsafe(ref at) - wd) * Vector.LoadUnsafe(ref Unsafe.Add(ref p0, j)) * ws).StoreUnsafe(ref at);
        }

        for (; j < n; j++)
        {
            dp[j] = (dp[j] - delta) * p[j] * scale;
        }
    }

    private static void Scatter(ReadOnlySpan<float> rows, Span<float> target, HeadStrides strides, int b, int h, int count, int width)
    {
        for (int i = 0; i < count; i++)
        {
            rows.Slice(i * width, width).CopyTo(target.Slice(strides.Offset(b, h, i), width));
        }
    }
}
