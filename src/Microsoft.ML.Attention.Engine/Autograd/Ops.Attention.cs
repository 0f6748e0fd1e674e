using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Scaled dot-product attention, softmax(q·kᵀ · scale + masks) · v, over query [B, H, L, E], key [B, H, S, E] and
    /// value [B, H, S, Ev] (rank 3 inputs are read as one head). Output [B, H, L, Ev].
    /// </summary>
    /// <remarks>
    /// <para>Mask convention: a non-zero entry of <paramref name="blockMask"/> or <paramref name="keyPaddingMask"/>
    /// <b>blocks</b> that position (as PyTorch's <c>nn.MultiheadAttention</c> reads a boolean mask; PyTorch's
    /// <c>scaled_dot_product_attention</c> and Keras read True the other way). <paramref name="additiveMask"/> is added
    /// to the scores (use −∞ to block). A query whose keys are all blocked gets a zero output and zero gradients,
    /// never NaN.</para>
    /// <para>When no weights are requested, a fused kernel runs (FlashAttention-style, memory O(L·E) per core instead
    /// of O(L·S)); otherwise, or when <paramref name="additiveMask"/> itself requires grad, the scores are materialized.
    /// Both paths give the same values and drop the same weights for the same <paramref name="random"/> state.</para>
    /// </remarks>
    /// <param name="query">Queries [B, H, L, E].</param>
    /// <param name="key">Keys [B, H, S, E].</param>
    /// <param name="value">Values [B, H, S, Ev].</param>
    /// <param name="blockMask">Broadcastable to [B, H, L, S]; non-zero = blocked.</param>
    /// <param name="additiveMask">Broadcastable to [B, H, L, S]; added to the scores.</param>
    /// <param name="keyPaddingMask">[B, S]; non-zero = a padding key that no query sees.</param>
    /// <param name="causal">Query i sees only keys j ≤ i.</param>
    /// <param name="scale">Factor on q·kᵀ; default 1/√E.</param>
    /// <param name="dropout">Dropout probability on the weights (pass 0 at evaluation, as with PyTorch's <c>dropout_p</c>).</param>
    /// <param name="random">The generator that seeds dropout; required when <paramref name="dropout"/> &gt; 0.</param>
    /// <param name="weights">Whether to return the weights.</param>
    public static AttentionResult ScaledDotProductAttention(
        this Tensor query, Tensor key, Tensor value,
        Tensor? blockMask = null, Tensor? additiveMask = null, Tensor? keyPaddingMask = null, bool causal = false,
        float? scale = null, float dropout = 0f, Random? random = null, AttentionWeights weights = AttentionWeights.None)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        bool three = query.Rank == 3;
        if ((query.Rank != 4 && !three) || key.Rank != query.Rank || value.Rank != query.Rank)
        {
            throw new ArgumentException($"ScaledDotProductAttention expects query, key and value of rank 4 [batch, heads, length, dim] (or 3 for one head); got {ShapeMath.Format(query.Dims)}, {ShapeMath.Format(key.Dims)}, {ShapeMath.Format(value.Dims)}.", nameof(query));
        }

        Tensor q = three ? query.Unsqueeze(1) : query, k = three ? key.Unsqueeze(1) : key, v = three ? value.Unsqueeze(1) : value;
        int b = q.Dims[0], h = q.Dims[1], l = q.Dims[2], e = q.Dims[3], s = k.Dims[2], ev = v.Dims[3];
        if (k.Dims[0] != b || v.Dims[0] != b || k.Dims[1] != h || v.Dims[1] != h || k.Dims[3] != e || v.Dims[2] != s)
        {
            throw new ArgumentException($"ScaledDotProductAttention: query {ShapeMath.Format(query.Dims)}, key {ShapeMath.Format(key.Dims)} and value {ShapeMath.Format(value.Dims)} disagree (expected key [B, H, S, E] and value [B, H, S, Ev] for query [B, H, L, E]).", nameof(key));
        }

        var layout = new AttentionLayout(b, h, l, s, e, ev,
            HeadStrides.HeadMajor(h, l, e), HeadStrides.HeadMajor(h, s, e), HeadStrides.HeadMajor(h, s, ev), HeadStrides.HeadMajor(h, l, ev));
        AttentionResult result = Attend(layout, q, k, v, [b, h, l, ev], packed: false, blockMask, additiveMask, keyPaddingMask, causal, scale, dropout, random, weights);
        if (!three)
        {
            return result;
        }

        Tensor? w = result.Weights is null ? null : weights == AttentionWeights.PerHead ? result.Weights.Reshape(b, l, s) : result.Weights;
        return new AttentionResult(result.Output.Reshape(b, l, ev), w);
    }

    /// <summary>
    /// Attention over heads packed side by side, as projections produce them: query [B, L, H·E], key [B, S, H·E],
    /// value [B, S, H·Ev]; output [B, L, H·Ev]. Same masks and conventions as <see cref="ScaledDotProductAttention"/>.
    /// </summary>
    internal static AttentionResult PackedHeadAttention(
        Tensor query, Tensor key, Tensor value, int heads,
        Tensor? blockMask, Tensor? additiveMask, Tensor? keyPaddingMask, bool causal, float? scale, float dropout, Random? random, AttentionWeights weights)
    {
        int b = query.Dims[0], l = query.Dims[1], s = key.Dims[1];
        int e = query.Dims[2] / heads, ev = value.Dims[2] / heads;
        var layout = new AttentionLayout(b, heads, l, s, e, ev,
            HeadStrides.Packed(heads, l, e), HeadStrides.Packed(heads, s, e), HeadStrides.Packed(heads, s, ev), HeadStrides.Packed(heads, l, ev));
        return Attend(layout, query, key, value, [b, l, heads * ev], packed: true, blockMask, additiveMask, keyPaddingMask, causal, scale, dropout, random, weights);
    }

    /// <summary>
    /// Self-attention over one projection of the input that holds query, key and value side by side,
    /// qkv [B, L, 3·H·E]: the fused kernel reads the three in place and writes their gradients into one tensor.
    /// </summary>
    internal static AttentionResult PackedSelfAttention(
        Tensor qkv, int heads, Tensor? blockMask, Tensor? additiveMask, Tensor? keyPaddingMask, bool causal, float? scale, float dropout, Random? random, AttentionWeights weights)
    {
        int width = qkv.Dims[2] / 3;
        bool additiveLearned = additiveMask is not null && additiveMask.RequiresGrad && GradMode.IsEnabled;
        if (weights != AttentionWeights.None || additiveLearned)
        {
            Tensor[] parts = qkv.Split([width, width, width], 2);
            return PackedHeadAttention(parts[0], parts[1], parts[2], heads, blockMask, additiveMask, keyPaddingMask, causal, scale, dropout, random, weights);
        }

        int b = qkv.Dims[0], l = qkv.Dims[1], e = width / heads;
        var layout = new AttentionLayout(b, heads, l, l, e, e,
            HeadStrides.PackedTriple(heads, l, e, 0), HeadStrides.PackedTriple(heads, l, e, 1), HeadStrides.PackedTriple(heads, l, e, 2), HeadStrides.Packed(heads, l, e));
        return Attend(layout, qkv, qkv, qkv, [b, l, width], packed: true, blockMask, additiveMask, keyPaddingMask, causal, scale, dropout, random, weights);
    }

    private static AttentionResult Attend(
        AttentionLayout g, Tensor q, Tensor k, Tensor v, int[] outShape, bool packed,
        Tensor? blockMask, Tensor? additiveMask, Tensor? keyPaddingMask, bool causal, float? scale, float dropout, Random? random, AttentionWeights weights)
    {
        if (dropout < 0f || dropout >= 1f || float.IsNaN(dropout))
        {
            throw new ArgumentOutOfRangeException(nameof(dropout), $"Attention dropout must be in [0, 1); got {dropout}.");
        }

        if (dropout > 0f && random is null)
        {
            throw new ArgumentNullException(nameof(random), "Attention dropout needs a seeded generator (random) so that training is deterministic.");
        }

        float factor = scale ?? 1f / MathF.Sqrt(g.HeadDim);
        var dropMask = new DropoutMask(dropout, dropout > 0f ? (ulong)random!.NextInt64() : 0UL);
        AttentionMaskView blocked = AttentionMaskView.Broadcast(blockMask, g.Batch, g.Heads, g.QueryLength, g.KeyLength, nameof(blockMask));
        AttentionMaskView additive = AttentionMaskView.Broadcast(additiveMask, g.Batch, g.Heads, g.QueryLength, g.KeyLength, nameof(additiveMask));
        AttentionMaskView padding = AttentionMaskView.KeyPadding(keyPaddingMask, g.Batch, g.KeyLength, nameof(keyPaddingMask));
        bool additiveLearned = additiveMask is not null && additiveMask.RequiresGrad && GradMode.IsEnabled;
        if (weights == AttentionWeights.None && !additiveLearned)
        {
            var masking = new AttentionMasking(factor, additive, blocked, padding, causal);
            return new AttentionResult(FusedAttention(g, q, k, v, outShape, masking, dropMask), null);
        }

        bool taped = GradMode.IsEnabled && (q.RequiresGrad || k.RequiresGrad || v.RequiresGrad || (additiveMask?.RequiresGrad ?? false));
        if (!taped && !dropMask.IsActive)
        {
            var masking = new AttentionMasking(factor, additive, blocked, padding, causal);
            return ScoredAttention(g, q, k, v, outShape, masking, weights);
        }

        return MaterializedAttention(g, q, k, v, packed, new AttentionMasking(1f, default, blocked, padding, causal), additiveMask, factor, dropMask, weights);
    }

    /// <summary>Inference with weights: no tape, the weights written once and used in place.</summary>
    private static AttentionResult ScoredAttention(AttentionLayout g, Tensor q, Tensor k, Tensor v, int[] outShape, AttentionMasking masking, AttentionWeights weights)
    {
        int b = g.Batch, h = g.Heads, l = g.QueryLength, s = g.KeyLength;
        Tensor o = Tensor.Empty(outShape);
        Tensor p = Tensor.Empty([b, h, l, s]);
        ScoredAttentionKernel.Forward(g, q, k, v, o, p, masking);
        if (weights == AttentionWeights.PerHead)
        {
            return new AttentionResult(o, p);
        }

        Tensor mean = Tensor.Zeros(b, l, s);
        ReadOnlySpan<float> ps = p.AsSpan();
        Span<float> ms = mean.AsSpan();
        for (int bi = 0; bi < b; bi++)
        {
            Span<float> target = ms.Slice(bi * l * s, l * s);
            for (int hi = 0; hi < h; hi++)
            {
                TensorPrimitives.Add(target, ps.Slice((bi * h + hi) * l * s, l * s), target);
            }

            TensorPrimitives.Multiply(target, 1f / h, target);
        }

        return new AttentionResult(o, mean);
    }

    private static Tensor FusedAttention(AttentionLayout g, Tensor q, Tensor k, Tensor v, int[] outShape, AttentionMasking masking, DropoutMask dropout)
    {
        Tensor o = Tensor.Empty(outShape);
        if (!GradMode.IsEnabled || !(q.RequiresGrad || k.RequiresGrad || v.RequiresGrad))
        {
            FlashAttentionKernel.Forward(g, q, k, v, o, lse: null, masking, dropout);
            return o;
        }

        float[] lse = new float[g.Batch * g.Heads * g.QueryLength];
        FlashAttentionKernel.Forward(g, q, k, v, o, lse, masking, dropout);

        Tensor saved = o.Detach();
        if (ReferenceEquals(q, k) && ReferenceEquals(k, v))
        {
            return Record(o, nameof(ScaledDotProductAttention), [q], grad =>
            {
                Tensor dqkv = Tensor.Empty(q.Dims);
                FlashAttentionKernel.Backward(g, q, q, q, saved, grad, lse, masking, dropout, dqkv, dqkv, dqkv);
                return [dqkv];
            });
        }

        return Record(o, nameof(ScaledDotProductAttention), [q, k, v], grad =>
        {
            Tensor dq = Tensor.Empty(q.Dims), dk = Tensor.Empty(k.Dims), dv = Tensor.Empty(v.Dims);
            FlashAttentionKernel.Backward(g, q, k, v, saved, grad, lse, masking, dropout, dq, dk, dv);
            return [q.RequiresGrad ? dq : null, k.RequiresGrad ? dk : null, v.RequiresGrad ? dv : null];
        });
    }

    /// <summary>The reference path: scores [B, H, L, S] held in full, built from differentiable operations.</summary>
    private static AttentionResult MaterializedAttention(
        AttentionLayout g, Tensor q, Tensor k, Tensor v, bool packed, AttentionMasking blocking, Tensor? additiveMask, float scale, DropoutMask dropout, AttentionWeights weights)
    {
        int b = g.Batch, h = g.Heads, l = g.QueryLength, s = g.KeyLength;
        if (packed)
        {
            q = q.Reshape(b, l, h, g.HeadDim).Permute(0, 2, 1, 3);
            k = k.Reshape(b, s, h, g.HeadDim).Permute(0, 2, 1, 3);
            v = v.Reshape(b, s, h, g.ValueDim).Permute(0, 2, 1, 3);
        }

        Tensor scores = q.MatMul(k, transposeB: true).Mul(scale);
        if (additiveMask is not null)
        {
            scores = scores.Add(additiveMask);
        }

        if (blocking.HasMasks)
        {
            Tensor bias = Tensor.Zeros(b, h, l, s);
            Span<float> bs = bias.AsSpan();
            Span<float> scratch = new float[s];
            for (int bh = 0; bh < b * h; bh++)
            {
                for (int i = 0; i < l; i++)
                {
                    blocking.Apply(bh / h, bh % h, i, 0, bs.Slice((bh * l + i) * s, s), scratch);
                }
            }

            scores = scores.Add(bias);
        }

        Tensor p = scores.Softmax(-1);
        Tensor attended = p;
        if (dropout.IsActive)
        {
            Tensor keep = Tensor.Ones(b, h, l, s);
            Span<float> ks = keep.AsSpan();
            for (int bh = 0; bh < b * h; bh++)
            {
                for (int i = 0; i < l; i++)
                {
                    dropout.Apply(bh, i, s, l, 0, ks.Slice((bh * l + i) * s, s));
                }
            }

            attended = p.Mul(keep);
        }

        Tensor o = attended.MatMul(v);
        if (packed)
        {
            o = o.Permute(0, 2, 1, 3).Reshape(b, l, h * g.ValueDim);
        }

        Tensor? w = weights switch
        {
            AttentionWeights.PerHead => p,
            AttentionWeights.Averaged => p.Mean(1),
            _ => null,
        };
        return new AttentionResult(o, w);
    }
}
