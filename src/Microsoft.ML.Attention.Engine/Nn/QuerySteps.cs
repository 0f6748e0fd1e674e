using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>Shape handling shared by the decoder-query attentions: one query step [B, D] or several [B, L, D].</summary>
internal static class QuerySteps
{
    internal static void CheckKeys(Tensor keys, int keyDim, string who)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Rank != 3 || keys.Dims[2] != keyDim)
        {
            throw new ArgumentException($"{who}: keys of shape {ShapeMath.Format(keys.Dims)}; expected [batch, positions, {keyDim}].", nameof(keys));
        }
    }

    internal static (Tensor Query, bool Single) Prepare(Tensor query, Tensor keys, Tensor? values, int queryDim, int keyDim, string who)
    {
        ArgumentNullException.ThrowIfNull(query);
        CheckKeys(keys, keyDim, who);

        bool single = query.Rank == 2;
        if ((query.Rank != 2 && query.Rank != 3) || query.Dims[^1] != queryDim || query.Dims[0] != keys.Dims[0])
        {
            throw new ArgumentException($"{who}: query of shape {ShapeMath.Format(query.Dims)}; expected [{keys.Dims[0]}, {queryDim}] or [{keys.Dims[0]}, steps, {queryDim}].", nameof(query));
        }

        if (values is not null && (values.Rank != 3 || values.Dims[0] != keys.Dims[0] || values.Dims[1] != keys.Dims[1]))
        {
            throw new ArgumentException($"{who}: values of shape {ShapeMath.Format(values.Dims)}; expected [{keys.Dims[0]}, {keys.Dims[1]}, width] like the keys.", nameof(values));
        }

        return (single ? query.Unsqueeze(1) : query, single);
    }

    internal static AttentionResult Finish(Tensor scores, Tensor values, Tensor? paddingMask, bool single)
    {
        Tensor weights = PaddingBias.MaskedSoftmax(scores, paddingMask, nameof(paddingMask));
        Tensor context = weights.MatMul(values);
        if (single)
        {
            int b = scores.Dims[0], s = scores.Dims[2];
            return new AttentionResult(context.Reshape(b, values.Dims[2]), weights.Reshape(b, s));
        }

        return new AttentionResult(context, weights);
    }
}
