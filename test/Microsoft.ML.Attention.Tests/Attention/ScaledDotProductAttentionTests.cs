using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Support;
using static Microsoft.ML.Attention.Tests.Support.GradCheck;

namespace Microsoft.ML.Attention.Tests.Attention;

/// <summary>
/// The fused kernel against the materialized path (forward and gradients) over sizes that span several query and
/// key blocks, every mask kind, dropout, and fully blocked rows; finite-difference checks of both paths.
/// </summary>
[TestClass]
public sealed class ScaledDotProductAttentionTests
{
    private const int B = 2, H = 3, L = 150, S = 200, E = 8, Ev = 5;

    public static IEnumerable<object[]> MaskCases =>
    [
        ["none"], ["causal"], ["block"], ["padding"], ["additive"], ["dropout"], ["everything"],
    ];

    [TestMethod]
    [DynamicData(nameof(MaskCases))]
    public void Fused_MatchesMaterialized_ForwardAndGradients(string masks)
    {
        (Tensor Out, Tensor[] Grads) fused = Run(masks, AttentionWeights.None, L, S);
        (Tensor Out, Tensor[] Grads) reference = Run(masks, AttentionWeights.PerHead, L, S);
        Check.Close(reference.Out, fused.Out, $"{masks}: output", 1e-4f, 1e-5f);
        string[] names = ["query", "key", "value"];
        for (int i = 0; i < 3; i++)
        {
            Check.Close(reference.Grads[i], fused.Grads[i], $"{masks}: gradient of {names[i]}", 1e-3f, 1e-5f);
        }
    }

    [TestMethod]
    [DataRow("none")]
    [DataRow("causal")]
    [DataRow("block")]
    [DataRow("padding")]
    [DataRow("additive")]
    [DataRow("all-but-dropout")]
    public void InferenceWithWeights_MatchesTheTapedPath_OutputAndWeights(string masks)
    {
        bool all = masks == "all-but-dropout";
        Tensor? block = masks == "block" || all ? Tensor.FromArray([.. Enumerable.Range(0, L * S).Select(i => (i * 7919) % 10 < 3 ? 1f : 0f)], L, S) : null;
        Tensor? padding = null;
        if (masks == "padding" || all)
        {
            padding = Tensor.Zeros(B, S);
            padding.AsSpan().Slice(S, S).Fill(1f); // batch 1 entirely padded: zeros, never NaN
        }

        Tensor? additive = masks == "additive" || all ? Rand(7, B, 1, L, S) : null;
        foreach (AttentionWeights mode in new[] { AttentionWeights.PerHead, AttentionWeights.Averaged })
        {
            Tensor q = Rand(1, B, H, L, E), k = Rand(2, B, H, S, E), v = Rand(3, B, H, S, Ev);
            q.RequiresGrad = true;
            AttentionResult taped = q.ScaledDotProductAttention(k, v, blockMask: block, additiveMask: additive, keyPaddingMask: padding, causal: masks == "causal" || all, weights: mode);
            AttentionResult inference;
            using (GradMode.NoGrad())
            {
                inference = q.ScaledDotProductAttention(k, v, blockMask: block, additiveMask: additive, keyPaddingMask: padding, causal: masks == "causal" || all, weights: mode);
            }

            Assert.IsNull(inference.Output.GradFn, "inference records no tape");
            Check.Close(taped.Output, inference.Output, $"{masks} {mode}: output", 1e-4f, 1e-5f);
            Check.Close(taped.Weights!, inference.Weights!, $"{masks} {mode}: weights", 1e-4f, 1e-6f);
            Assert.IsTrue(inference.Weights!.ToArray().All(float.IsFinite) && inference.Output.ToArray().All(float.IsFinite), "finite");
        }
    }

    [TestMethod]
    public void FullyBlockedQueries_GiveZeros_NotNaN_InBothPaths()
    {
        // Batch 1 has every key padded; in batch 0 query 0 is blocked from every key by the block mask.
        Tensor padding = Tensor.Zeros(B, S);
        padding.AsSpan().Slice(S, S).Fill(1f);
        Tensor block = Tensor.Zeros(L, S);
        block.AsSpan()[..S].Fill(1f);
        foreach (AttentionWeights mode in new[] { AttentionWeights.None, AttentionWeights.PerHead })
        {
            Tensor q = Rand(1, B, H, L, E), k = Rand(2, B, H, S, E), v = Rand(3, B, H, S, Ev);
            q.RequiresGrad = k.RequiresGrad = v.RequiresGrad = true;
            AttentionResult r = q.ScaledDotProductAttention(k, v, blockMask: block, keyPaddingMask: padding, weights: mode);
            r.Output.Mul(Rand(4, r.Output.Shape)).Sum().Backward();
            float[] o = r.Output.ToArray();
            Assert.IsTrue(o.All(float.IsFinite) && q.Grad!.ToArray().All(float.IsFinite) && k.Grad!.ToArray().All(float.IsFinite), $"{mode}: NaN or ∞ appeared.");
            Assert.IsTrue(o.AsSpan(H * L * Ev, H * L * Ev).ToArray().All(x => x == 0f), $"{mode}: the fully padded batch must give zeros.");
            for (int h = 0; h < H; h++)
            {
                Assert.IsTrue(o.AsSpan(h * L * Ev, Ev).ToArray().All(x => x == 0f), $"{mode}: head {h}, query 0 is fully blocked and must give zeros.");
                Assert.IsTrue(q.Grad!.ToArray().AsSpan(h * L * E, E).ToArray().All(x => x == 0f), $"{mode}: a fully blocked query gets no gradient.");
            }

            Assert.IsTrue(o.AsSpan(Ev, Ev).ToArray().Any(x => x != 0f), $"{mode}: query 1 is not blocked and must attend.");
            if (r.Weights is not null)
            {
                Assert.IsTrue(r.Weights.ToArray().All(float.IsFinite), "weights must be finite");
            }
        }
    }

    [TestMethod]
    public void Weights_AreSoftmaxRows_AndAverageOverHeads()
    {
        Tensor q = Rand(1, B, H, 6, E), k = Rand(2, B, H, 7, E), v = Rand(3, B, H, 7, Ev);
        AttentionResult perHead = q.ScaledDotProductAttention(k, v, causal: true, weights: AttentionWeights.PerHead);
        AttentionResult averaged = q.ScaledDotProductAttention(k, v, causal: true, weights: AttentionWeights.Averaged);
        CollectionAssert.AreEqual(new[] { B, H, 6, 7 }, perHead.Weights!.Shape);
        CollectionAssert.AreEqual(new[] { B, 6, 7 }, averaged.Weights!.Shape);
        float[] w = perHead.Weights.ToArray();
        for (int row = 0; row < B * H * 6; row++)
        {
            int i = row % 6;
            Assert.AreEqual(1.0, w.AsSpan(row * 7, 7).ToArray().Sum(), 1e-5, $"row {row} sums to 1");
            Assert.IsTrue(w.AsSpan(row * 7 + i + 1, 6 - i).ToArray().All(x => x == 0f), $"row {row}: causal positions after {i} must be 0");
        }

        Check.Close(perHead.Weights.Mean(1), averaged.Weights, "average over heads");

        // Hand check of one weight: softmax(q·k / √E) for batch 0, head 0, query 0 (causal: only key 0) = 1.
        Assert.AreEqual(1f, w[0], 1e-6f);
    }

    [TestMethod]
    public void Dropout_DropsAboutP_IsReproducible_AndScalesTheKeptWeights()
    {
        Tensor q = Tensor.Zeros(1, 1, 64, 4), k = Tensor.Zeros(1, 1, 512, 4), v = Tensor.Ones(1, 1, 512, 1);

        // Uniform weights 1/512, value 1: each output is (kept count)/(512·(1−p)).
        Tensor o1 = q.ScaledDotProductAttention(k, v, dropout: 0.25f, random: new Random(5)).Output;
        Tensor o2 = q.ScaledDotProductAttention(k, v, dropout: 0.25f, random: new Random(5)).Output;
        Tensor o3 = q.ScaledDotProductAttention(k, v, dropout: 0.25f, random: new Random(6)).Output;
        CollectionAssert.AreEqual(o1.ToArray(), o2.ToArray(), "same seed, same mask");
        CollectionAssert.AreNotEqual(o1.ToArray(), o3.ToArray(), "another seed, another mask");
        double kept = o1.ToArray().Average() * 0.75;
        Assert.AreEqual(0.75, kept, 0.01, "the share of weights kept");
    }

    [TestMethod]
    public void GradientChecks_FusedAndMaterialized()
    {
        Tensor block = Tensor.Zeros(5, 6);
        block[1, 2] = 1f;
        Tensor padding = Tensor.Zeros(2, 6);
        padding[1, 5] = 1f;
        Tensor additive = Rand(9, 2, 1, 5, 6);
        foreach (AttentionWeights mode in new[] { AttentionWeights.None, AttentionWeights.PerHead })
        {
            Verify(x => x[0].ScaledDotProductAttention(x[1], x[2], weights: mode).Output, [Rand(1, 2, 2, 5, 3), Rand(2, 2, 2, 6, 3), Rand(3, 2, 2, 6, 4)], $"SDPA {mode}");
            Verify(x => x[0].ScaledDotProductAttention(x[1], x[2], blockMask: block, keyPaddingMask: padding, additiveMask: additive, causal: true, scale: 0.7f, weights: mode).Output,
                [Rand(1, 2, 2, 5, 3), Rand(2, 2, 2, 6, 3), Rand(3, 2, 2, 6, 4)], $"SDPA masked {mode}");
            Verify(x => x[0].ScaledDotProductAttention(x[1], x[2], dropout: 0.3f, random: new Random(3), weights: mode).Output,
                [Rand(1, 2, 2, 5, 3), Rand(2, 2, 2, 6, 3), Rand(3, 2, 2, 6, 4)], $"SDPA dropout {mode}");
        }

        // A learned additive bias (e.g. relative positions) gets its gradient through the materialized path.
        Verify(x => x[0].ScaledDotProductAttention(x[1], x[2], additiveMask: x[3]).Output,
            [Rand(1, 2, 2, 5, 3), Rand(2, 2, 2, 6, 3), Rand(3, 2, 2, 6, 4), Rand(4, 1, 2, 5, 6)], "SDPA learned additive bias");
        Tensor value = Rand(3, 2, 2, 6, 4);
        Verify(x => x[0].ScaledDotProductAttention(x[1], value, causal: true, weights: AttentionWeights.PerHead).Weights!,
            [Rand(1, 2, 2, 5, 3), Rand(2, 2, 2, 6, 3)], "SDPA weights (they do not depend on the values)");
    }

    [TestMethod]
    public void BadShapes_AreNamed()
    {
        Tensor q = Rand(1, 2, 2, 5, 3), k = Rand(2, 2, 2, 6, 3), v = Rand(3, 2, 2, 6, 4);
        var e1 = Assert.ThrowsExactly<ArgumentException>(() => q.ScaledDotProductAttention(Rand(2, 2, 2, 6, 4), v));
        StringAssert.Contains(e1.Message, "[2, 2, 6, 4]");
        var e2 = Assert.ThrowsExactly<ArgumentException>(() => q.ScaledDotProductAttention(k, v, blockMask: Tensor.Zeros(5, 7)));
        StringAssert.Contains(e2.Message, "blockMask");
        var e3 = Assert.ThrowsExactly<ArgumentException>(() => q.ScaledDotProductAttention(k, v, keyPaddingMask: Tensor.Zeros(2, 5)));
        StringAssert.Contains(e3.Message, "[batch, keys] = [2, 6]");
        Assert.ThrowsExactly<ArgumentNullException>(() => q.ScaledDotProductAttention(k, v, dropout: 0.1f));
    }

    private static (Tensor Out, Tensor[] Grads) Run(string masks, AttentionWeights mode, int l, int s)
    {
        Tensor q = Rand(1, B, H, l, E), k = Rand(2, B, H, s, E), v = Rand(3, B, H, s, Ev);
        q.RequiresGrad = k.RequiresGrad = v.RequiresGrad = true;
        bool all = masks == "everything";
        Tensor? block = null, padding = null, additive = null;
        if (masks == "block" || all)
        {
            block = Tensor.Zeros(l, s);
            var random = new Random(8);
            Span<float> bs = block.AsSpan();
            for (int i = 0; i < bs.Length; i++)
            {
                bs[i] = random.NextDouble() < 0.3 ? 1f : 0f;
            }
        }

        if (masks == "padding" || all)
        {
            padding = Tensor.Zeros(B, s);
            padding.AsSpan().Slice(s + s / 2, s - s / 2).Fill(1f);
        }

        if (masks == "additive" || all)
        {
            additive = Rand(7, B, 1, l, s);
        }

        bool dropout = masks == "dropout" || all;
        AttentionResult r = q.ScaledDotProductAttention(k, v, blockMask: block, additiveMask: additive, keyPaddingMask: padding,
            causal: masks == "causal" || all, dropout: dropout ? 0.2f : 0f, random: new Random(42), weights: mode);
        r.Output.Mul(Rand(5, r.Output.Shape)).Sum().Backward();
        return (r.Output, [q.Grad!, k.Grad!, v.Grad!]);
    }
}
