using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// Additive (Bahdanau) attention of decoder queries over encoder states, with learned projections:
/// score(q, k_j) = vᵀ tanh(W_q q + W_k k_j + b). Parameters <c>query_proj.weight</c>, <c>key_proj.weight</c>,
/// <c>key_proj.bias</c>, <c>v.weight</c>.
/// </summary>
public sealed class AdditiveAttention : Module, IDecoderAttention
{
    /// <summary>Creates the layer.</summary>
    public AdditiveAttention(int queryDim, int keyDim, int attentionDim, Random? random = null)
    {
        random ??= DefaultGenerator.Next();
        QueryProjection = RegisterModule("query_proj", new Linear(queryDim, attentionDim, bias: false, random: random));
        KeyProjection = RegisterModule("key_proj", new Linear(keyDim, attentionDim, random: random));
        Energy = RegisterModule("v", new Linear(attentionDim, 1, bias: false, random: random));
    }

    /// <summary>W_q.</summary>
    public Linear QueryProjection { get; }

    /// <summary>W_k and b.</summary>
    public Linear KeyProjection { get; }

    /// <summary>v.</summary>
    public Linear Energy { get; }

    /// <summary>
    /// Attends from <paramref name="query"/> ([B, Dq] for one decoder step, or [B, L, Dq]) over <paramref name="keys"/>
    /// [B, S, Dk]; the context is the weighted sum of <paramref name="values"/> [B, S, Dv] (default: the keys).
    /// Output [B, Dv] or [B, L, Dv]; weights [B, S] or [B, L, S].
    /// </summary>
    /// <param name="query">Decoder state(s).</param>
    /// <param name="keys">Encoder states.</param>
    /// <param name="values">What is averaged; null for the keys.</param>
    /// <param name="paddingMask">[B, S]; non-zero = padding, weight 0.</param>
    public AttentionResult Forward(Tensor query, Tensor keys, Tensor? values = null, Tensor? paddingMask = null)
    {
        QuerySteps.Prepare(query, keys, values, QueryDim, KeyDim, nameof(AdditiveAttention));
        return Attend(query, ProjectKeys(keys), values ?? keys, paddingMask);
    }

    /// <inheritdoc/>
    public int QueryDim => QueryProjection.InFeatures;

    /// <inheritdoc/>
    public int KeyDim => KeyProjection.InFeatures;

    /// <summary>W_k k_j + b for every position: [B, S, A].</summary>
    public Tensor ProjectKeys(Tensor keys)
    {
        QuerySteps.CheckKeys(keys, KeyDim, nameof(AdditiveAttention));
        return KeyProjection.Forward(keys);
    }

    /// <inheritdoc/>
    public AttentionResult Attend(Tensor query, Tensor projectedKeys, Tensor values, Tensor? paddingMask = null)
    {
        int a = QueryProjection.OutFeatures;
        (Tensor q, bool single) = QuerySteps.Prepare(query, projectedKeys, values, QueryDim, a, nameof(AdditiveAttention));
        Tensor scores = QueryProjection.Forward(q).AdditiveScores(projectedKeys, Energy.Weight);
        return QuerySteps.Finish(scores, values, paddingMask, single);
    }
}
