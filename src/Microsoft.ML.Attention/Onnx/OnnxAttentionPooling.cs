using Microsoft.ML.Attention.Nn;

namespace Microsoft.ML.Attention.Onnx;

/// <summary>The pack's <see cref="AttentionPooling"/> (a learned context vector over positions) as ONNX nodes.</summary>
internal static class OnnxAttentionPooling
{
    /// <summary>
    /// Attention pooling of h [N, T, D] with a padding mask [N, T] (true = padding) or none: weights 0 on padding, and a
    /// sequence that is all padding pools to zeros with all weights 0, as the pack's <see cref="AttentionPooling"/>; its
    /// learned score per position, when it has one, is added to the scores.
    /// </summary>
    public static (string Pooled, string Weights) Pool(OnnxGraphBuilder g, string name, AttentionPooling pool, string h, string? padding, int d)
    {
        int a = pool.Projection.OutFeatures;
        Linear proj = pool.Projection;
        string scores = g.Op("Tanh", [g.Linear(h, $"{name}.proj", proj.Weight.AsSpan(), a, d, proj.Bias is null ? [] : proj.Bias.AsSpan())]);
        scores = g.Op("MatMul", [scores, g.Weight($"{name}.context", pool.Context.AsSpan(), a, 1)]);
        scores = g.Op("Reshape", [scores, g.Int64s(0, -1)]);
        if (pool.PositionBias is { } bias)
        {
            scores = g.Op("Add", [scores, g.Weight($"{name}.position_bias", bias.AsSpan(), bias.Length)]);
        }
        string weights;
        if (padding is null)
        {
            weights = g.Op("Softmax", [scores], OnnxAttribute.Int("axis", -1));
        }
        else
        {
            // All-padding rows give NaN in the softmax; every one of their positions is padding, so the Where zeroes them.
            scores = g.Op("Add", [scores, g.Op("Where", [padding, g.Float(float.NegativeInfinity), g.Float(0f)])]);
            weights = g.Op("Where", [padding, g.Float(0f), g.Op("Softmax", [scores], OnnxAttribute.Int("axis", -1))]);
        }

        string pooled = g.Op("MatMul", [g.Op("Unsqueeze", [weights, g.Int64s(1)]), h]);
        return (g.Op("Reshape", [pooled, g.Int64s(0, d)]), weights);
    }
}
