using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Support;
using static Microsoft.ML.Attention.Tests.Support.GradCheck;

namespace Microsoft.ML.Attention.Tests.Attention;

/// <summary>Attention pooling, Bahdanau, Luong (dot/general/concat) and co-attention: known values, masks, gradient checks.</summary>
[TestClass]
public sealed class AttentionModuleTests
{
    [TestMethod]
    public void AttentionPooling_WithZeroContext_IsTheMeanOfTheUnpaddedPositions()
    {
        var pool = new AttentionPooling(3, 4);
        pool.Context.AsSpan().Clear();
        Tensor h = Tensor.FromArray([1, 2, 3, 3, 2, 1, 5, 5, 5, 0, 1, 0, 9, 9, 9, 7, 7, 7], 2, 3, 3);
        Tensor padding = Tensor.FromArray([0, 0, 0, 0, 1, 1], 2, 3);
        AttentionResult r = pool.Forward(h, padding);
        Check.Close([3, 3, 3, 0, 1, 0], r.Output.ToArray(), "pooled means");
        Check.Close([1 / 3f, 1 / 3f, 1 / 3f, 1, 0, 0], r.Weights!.ToArray(), "weights");
    }

    [TestMethod]
    public void AttentionPooling_WithPositionScores_AddsThemToTheScoresBeforeTheSoftmax()
    {
        var pool = new AttentionPooling(3, 4, new Random(1), positions: 3);
        Assert.AreEqual(3, pool.PositionBias!.Length);
        Assert.IsTrue(pool.PositionBias.ToArray().All(p => p == 0f), "the step scores start at zero");
        CollectionAssert.Contains(pool.NamedParameters().Select(p => p.Key).ToArray(), "position_bias");
        pool.Context.AsSpan().Clear();
        pool.PositionBias.AsSpan()[1] = MathF.Log(2f);
        Tensor h = Tensor.FromArray([1, 2, 3, 3, 2, 1, 5, 5, 5], 1, 3, 3);
        AttentionResult r = pool.Forward(h);
        Check.Close([0.25f, 0.5f, 0.25f], r.Weights!.ToArray(), "softmax(0 + p)");
        Check.Close([0.25f * 1 + 0.5f * 3 + 0.25f * 5, 0.25f * 2 + 0.5f * 2 + 0.25f * 5, 0.25f * 3 + 0.5f * 1 + 0.25f * 5], r.Output.ToArray(), "pooled");
        Tensor padding = Tensor.FromArray([0, 1, 0], 1, 3);
        Check.Close([0.5f, 0f, 0.5f], pool.Forward(h, padding).Weights!.ToArray(), "a padded position still gets weight 0");
    }

    [TestMethod]
    public void AttentionPooling_FullyPaddedSequence_PoolsToZeros()
    {
        var pool = new AttentionPooling(3, 4, new Random(1));
        AttentionResult r = pool.Forward(Rand(1, 2, 3, 3), Tensor.FromArray([0, 0, 1, 1, 1, 1], 2, 3));
        Assert.IsTrue(r.Output.ToArray().Skip(3).All(x => x == 0f) && r.Output.ToArray().All(float.IsFinite));
    }

    [TestMethod]
    public void LuongDot_KnownValue()
    {
        var luong = new MultiplicativeAttention(LuongScore.Dot, 2, 2);
        Tensor q = Tensor.FromArray([1, 0], 1, 2);
        Tensor keys = Tensor.FromArray([2, 0, 0, 5, 1, 1], 1, 3, 2);
        AttentionResult r = luong.Forward(q, keys);
        float e2 = MathF.Exp(2), e0 = 1, e1 = MathF.E, z = e2 + e0 + e1;
        Check.Close([e2 / z, e0 / z, e1 / z], r.Weights!.ToArray(), "softmax(q·k)");
        Check.Close([(2 * e2 + e1) / z, (5 * e0 + e1) / z], r.Output.ToArray(), "context");
        CollectionAssert.AreEqual(new[] { 1, 2 }, r.Output.Shape);
    }

    [TestMethod]
    public void DecoderAttentions_IgnorePaddedKeys()
    {
        Tensor padding = Tensor.FromArray([0, 0, 1, 0, 0, 0], 2, 3);
        foreach (object module in new object[] { new AdditiveAttention(4, 5, 6, new Random(1)), new MultiplicativeAttention(LuongScore.General, 4, 5, random: new Random(1)), new MultiplicativeAttention(LuongScore.Concat, 4, 5, 3, new Random(1)) })
        {
            Tensor q = Rand(1, 2, 2, 4), k = Rand(2, 2, 3, 5);
            AttentionResult r = module is AdditiveAttention add ? add.Forward(q, k, paddingMask: padding) : ((MultiplicativeAttention)module).Forward(q, k, paddingMask: padding);
            CollectionAssert.AreEqual(new[] { 2, 2, 3 }, r.Weights!.Shape);
            Assert.AreEqual(0f, r.Weights[0, 0, 2], $"{module.GetType().Name}: padded key");
            Assert.AreEqual(0f, r.Weights[0, 1, 2], $"{module.GetType().Name}: padded key");
            Assert.AreEqual(1f, r.Weights[1, 0, 0] + r.Weights[1, 0, 1] + r.Weights[1, 0, 2], 1e-5f);
        }
    }

    [TestMethod]
    public void CoAttention_EachSideSumsToOne_AndRespectsPadding()
    {
        var co = new CoAttention(4, random: new Random(2));
        CoAttentionResult r = co.Forward(Rand(1, 2, 3, 4), Rand(2, 2, 5, 4), Tensor.FromArray([0, 0, 1, 0, 0, 0], 2, 3), Tensor.FromArray([0, 0, 0, 1, 1, 0, 0, 0, 0, 0], 2, 5));
        CollectionAssert.AreEqual(new[] { 2, 3, 4 }, r.ContextForFirst.Shape);
        CollectionAssert.AreEqual(new[] { 2, 5, 4 }, r.ContextForSecond.Shape);
        Check.Close(Tensor.Ones(2, 3), r.FirstToSecondWeights.Sum(2), "rows over the second sequence");
        Check.Close(Tensor.Ones(2, 5), r.SecondToFirstWeights.Sum(2), "rows over the first sequence");
        Assert.AreEqual(0f, r.FirstToSecondWeights[0, 1, 3]);
        Assert.AreEqual(0f, r.SecondToFirstWeights[0, 4, 2]);
    }

    [TestMethod]
    public void GradientChecks_AllAttentionModules()
    {
        var pool = new AttentionPooling(4, 3, new Random(1));
        Tensor padding = Tensor.FromArray([0, 0, 0, 0, 0, 1], 2, 3);
        Verify(x => pool.Forward(x[0], padding).Output, [Rand(1, 2, 3, 4)], "attention pooling (input)");
        Tensor h = Rand(2, 2, 3, 4);
        Verify(_ => pool.Forward(h, padding).Output, [.. pool.Parameters()], "attention pooling (parameters)");
        var positioned = new AttentionPooling(4, 3, new Random(5), positions: 3);
        Rand(6, 3).AsSpan().CopyTo(positioned.PositionBias!.AsSpan());
        Verify(x => positioned.Forward(x[0], padding).Output, [Rand(8, 2, 3, 4)], "attention pooling with position scores (input)");
        Verify(_ => positioned.Forward(h, padding).Output, [.. positioned.Parameters()], "attention pooling with position scores (parameters)");

        var bahdanau = new AdditiveAttention(4, 5, 3, new Random(2));
        Verify(x => bahdanau.Forward(x[0], x[1], x[2], padding).Output, [Rand(1, 2, 4), Rand(2, 2, 3, 5), Rand(3, 2, 3, 2)], "Bahdanau (one step, values)");
        Tensor k = Rand(4, 2, 3, 5);
        Verify(_ => bahdanau.Forward(Rand(5, 2, 2, 4), k).Output, [.. bahdanau.Parameters()], "Bahdanau (parameters)");

        foreach (LuongScore score in Enum.GetValues<LuongScore>())
        {
            int kd = score == LuongScore.Dot ? 4 : 5;
            var luong = new MultiplicativeAttention(score, 4, kd, 3, new Random(3));
            Verify(x => luong.Forward(x[0], x[1], paddingMask: padding).Output, [Rand(1, 2, 2, 4), Rand(2, 2, 3, kd)], $"Luong {score}");
            if (score != LuongScore.Dot)
            {
                Tensor keys = Rand(6, 2, 3, kd);
                Verify(_ => luong.Forward(Rand(7, 2, 4), keys).Output, [.. luong.Parameters()], $"Luong {score} (parameters)");
            }
        }

        var co = new CoAttention(4, random: new Random(4));
        Verify(x => { CoAttentionResult r = co.Forward(x[0], x[1], secondPadding: padding); return Ops.Concat([r.ContextForFirst.Reshape(-1), r.ContextForSecond.Reshape(-1)], 0); },
            [Rand(1, 2, 2, 4), Rand(2, 2, 3, 4)], "co-attention");
    }

    [TestMethod]
    public void BadShapes_AreNamed()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new AdditiveAttention(4, 5, 3).Forward(Tensor.Zeros(2, 4), Tensor.Zeros(2, 3, 6)));
        StringAssert.Contains(e.Message, "[batch, positions, 5]");
        var e2 = Assert.ThrowsExactly<ArgumentException>(() => new AttentionPooling(3, 2).Forward(Tensor.Zeros(2, 4, 3), Tensor.Zeros(2, 5)));
        StringAssert.Contains(e2.Message, "[batch, positions] = [2, 4]");
        var e3 = Assert.ThrowsExactly<ArgumentException>(() => new AttentionPooling(3, 2, positions: 5).Forward(Tensor.Zeros(2, 4, 3)));
        StringAssert.Contains(e3.Message, "has 4 positions; this layer learned a score for each of exactly 5");
        Assert.ThrowsExactly<ArgumentException>(() => new MultiplicativeAttention(LuongScore.Dot, 3, 4));
    }
}
