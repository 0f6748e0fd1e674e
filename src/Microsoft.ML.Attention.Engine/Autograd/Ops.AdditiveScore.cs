using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Additive attention scores in one fused operation: score[b, l, s] = Σ_a v[a]·tanh(query[b, l, a] + keys[b, s, a]),
    /// the same as <c>query.Unsqueeze(2).Add(keys.Unsqueeze(1)).Tanh().Linear(v)</c> without its [B, L, S, A] intermediates
    /// (only tanh is kept, and only when gradients are recorded).
    /// </summary>
    /// <param name="query">Projected queries [B, L, A].</param>
    /// <param name="keys">Projected keys [B, S, A].</param>
    /// <param name="v">The energy vector, [A] or [1, A].</param>
    /// <returns>Scores [B, L, S].</returns>
    public static Tensor AdditiveScores(this Tensor query, Tensor keys, Tensor v)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(v);
        if (query.Rank != 3 || keys.Rank != 3 || query.Dims[0] != keys.Dims[0] || query.Dims[2] != keys.Dims[2] || v.Length != query.Dims[2] || (v.Rank == 2 && v.Dims[0] != 1) || v.Rank > 2)
        {
            throw new ArgumentException(
                $"AdditiveScores expects query [B, L, A], keys [B, S, A] and v [A] or [1, A]; got {ShapeMath.Format(query.Dims)}, {ShapeMath.Format(keys.Dims)} and {ShapeMath.Format(v.Dims)}.");
        }

        var shape = new AdditiveScoreKernel.Shape(query.Dims[0], query.Dims[1], keys.Dims[1], query.Dims[2]);
        bool recording = (query.RequiresGrad || keys.RequiresGrad || v.RequiresGrad) && GradMode.IsEnabled;
        Tensor scores = Tensor.Empty(shape.Batch, shape.Queries, shape.Keys);
        Tensor? tanh = recording ? Tensor.Empty(shape.Batch, shape.Queries, shape.Keys, shape.Width) : null;
        AdditiveScoreKernel.Forward(shape, query, keys, v, scores, tanh);
        if (!recording)
        {
            return scores;
        }

        return Record(scores, nameof(AdditiveScores), [query, keys, v], (g, targets) =>
        {
            // The keys' gradient is added to the one already gathered when there is one (every decoder step attends to them).
            Tensor? intoKeys = targets.Existing(1);
            Tensor dq = Tensor.Empty(query.Dims), dk = intoKeys ?? Tensor.Empty(keys.Dims), dv = Tensor.Empty(v.Dims);
            AdditiveScoreKernel.Backward(shape, g, tanh!, v, dq, dk, dv.AsSpan(), accumulateKeys: intoKeys is not null);
            return [query.RequiresGrad ? dq : null, !keys.RequiresGrad ? null : intoKeys is null ? dk : GradientTargets.Added, v.RequiresGrad ? dv : null];
        });
    }
}
