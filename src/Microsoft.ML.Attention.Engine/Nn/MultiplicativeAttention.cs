using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// Luong (multiplicative) attention of decoder queries over encoder states with the dot, general or concat score.
/// Parameters: none (dot); <c>W.weight</c> [Dq, Dk] (general); <c>W.weight</c> [A, Dq + Dk] and <c>v.weight</c> [1, A] (concat).
/// </summary>
public sealed class MultiplicativeAttention : Module, IDecoderAttention
{
    private readonly int _queryDim;
    private readonly int _keyDim;

    /// <summary>Creates the layer.</summary>
    /// <param name="score">The score function.</param>
    /// <param name="queryDim">Decoder state width.</param>
    /// <param name="keyDim">Encoder state width (must equal <paramref name="queryDim"/> for <see cref="LuongScore.Dot"/>).</param>
    /// <param name="attentionDim">Hidden width of the concat score (default: <paramref name="queryDim"/>).</param>
    /// <param name="random">Initialization generator; null takes <see cref="DefaultGenerator.Next"/>.</param>
    public MultiplicativeAttention(LuongScore score, int queryDim, int keyDim, int? attentionDim = null, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(queryDim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(keyDim);
        random ??= DefaultGenerator.Next();
        Score = score;
        _queryDim = queryDim;
        _keyDim = keyDim;
        switch (score)
        {
            case LuongScore.Dot:
                if (queryDim != keyDim)
                {
                    throw new ArgumentException($"The dot score needs equal query and key widths; got {queryDim} and {keyDim}.", nameof(keyDim));
                }

                break;
            case LuongScore.General:
                W = RegisterModule("W", new Linear(keyDim, queryDim, bias: false, random: random));
                break;
            case LuongScore.Concat:
                W = RegisterModule("W", new Linear(queryDim + keyDim, attentionDim ?? queryDim, bias: false, random: random));
                V = RegisterModule("v", new Linear(attentionDim ?? queryDim, 1, bias: false, random: random));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(score), score, "Unknown Luong score.");
        }
    }

    /// <summary>The score function.</summary>
    public LuongScore Score { get; }

    /// <summary>W (general, concat), or null.</summary>
    public Linear? W { get; }

    /// <summary>v (concat), or null.</summary>
    public Linear? V { get; }

    /// <summary>
    /// Attends from <paramref name="query"/> ([B, Dq] or [B, L, Dq]) over <paramref name="keys"/> [B, S, Dk]; the
    /// context averages <paramref name="values"/> (default: the keys). Weights [B, S] or [B, L, S].
    /// </summary>
    public AttentionResult Forward(Tensor query, Tensor keys, Tensor? values = null, Tensor? paddingMask = null)
    {
        QuerySteps.Prepare(query, keys, values, _queryDim, _keyDim, nameof(MultiplicativeAttention));
        return Attend(query, ProjectKeys(keys), values ?? keys, paddingMask);
    }

    /// <inheritdoc/>
    public int QueryDim => _queryDim;

    /// <inheritdoc/>
    public int KeyDim => _keyDim;

    /// <summary>The keys themselves (dot), W k_j [B, S, Dq] (general), or W_k k_j [B, S, A] (concat).</summary>
    public Tensor ProjectKeys(Tensor keys)
    {
        QuerySteps.CheckKeys(keys, _keyDim, nameof(MultiplicativeAttention));
        return Score switch
        {
            LuongScore.Dot => keys,
            LuongScore.General => W!.Forward(keys),
            _ => keys.Linear(W!.Weight.Narrow(1, _queryDim, _keyDim)),
        };
    }

    /// <inheritdoc/>
    public AttentionResult Attend(Tensor query, Tensor projectedKeys, Tensor values, Tensor? paddingMask = null)
    {
        int width = Score == LuongScore.Concat ? W!.OutFeatures : _queryDim;
        (Tensor q, bool single) = QuerySteps.Prepare(query, projectedKeys, values, _queryDim, width, nameof(MultiplicativeAttention));
        int b = projectedKeys.Dims[0], s = projectedKeys.Dims[1], l = q.Dims[1];
        Tensor scores;
        if (Score == LuongScore.Concat)
        {
            Tensor hidden = q.Linear(W!.Weight.Narrow(1, 0, _queryDim)).Reshape(b, l, 1, width).Add(projectedKeys.Reshape(b, 1, s, width)).Tanh();
            scores = hidden.Linear(V!.Weight).Reshape(b, l, s);
        }
        else
        {
            scores = q.MatMul(projectedKeys, transposeB: true);
        }

        return QuerySteps.Finish(scores, values, paddingMask, single);
    }
}
