using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Support;

namespace Microsoft.ML.Attention.Tests.Attention;

/// <summary><see cref="MultiheadAttention"/> against PyTorch 1.13 <c>nn.MultiheadAttention(batch_first=True)</c> fixtures.</summary>
[TestClass]
public sealed class MultiheadAttentionParityTests
{
    [TestMethod]
    public void SelfAttention_PaddingAndBlockMasks_PerHeadWeights_MatchPyTorch()
    {
        var f = Fixture.Load("mha_self_masks");
        var mha = new MultiheadAttention(12, 3);
        mha.LoadStateDict(f.Parameters());
        Tensor x = f.Input("x");
        AttentionResult r = mha.Forward(x, keyPaddingMask: f["input.key_padding_mask"], blockMask: f["input.attn_mask"], averageAttnWeights: false);
        CompareAll(f, mha, r, [("x", x)]);
    }

    [TestMethod]
    public void CrossAttention_KdimVdim_AdditivePerHeadMask_AveragedWeights_MatchPyTorch()
    {
        var f = Fixture.Load("mha_cross_kdim_vdim");
        var mha = new MultiheadAttention(12, 4, kdim: 7, vdim: 9);
        mha.LoadStateDict(f.Parameters());
        Tensor q = f.Input("q"), k = f.Input("k"), v = f.Input("v");
        AttentionResult r = mha.Forward(q, k, v, additiveMask: f["input.additive_mask"]);
        CompareAll(f, mha, r, [("q", q), ("k", k), ("v", v)]);
    }

    [TestMethod]
    public void SeparateQueryKeyValue_OfTheModelWidth_MatchPyTorch()
    {
        // kdim = vdim = E: the packed in_proj_weight is sliced into query, key and value rows, in that order.
        var f = Fixture.Load("mha_separate_qkv");
        var mha = new MultiheadAttention(12, 3);
        mha.LoadStateDict(f.Parameters());
        Tensor q = f.Input("q"), k = f.Input("k"), v = f.Input("v");
        AttentionResult r = mha.Forward(q, k, v, averageAttnWeights: false);
        CompareAll(f, mha, r, [("q", q), ("k", k), ("v", v)]);
    }

    [TestMethod]
    public void FusedPath_WithoutWeights_MatchesPyTorchOutput_AndMaterializedGradients()
    {
        var f = Fixture.Load("mha_self_masks");
        Tensor[] fused = Gradients(f, needWeights: false, out Tensor yFused);
        Tensor[] reference = Gradients(f, needWeights: true, out Tensor yReference);
        Check.Close(f["output.y"], yFused, "fused output vs PyTorch");
        Check.Close(yReference, yFused, "fused vs materialized output");
        for (int i = 0; i < fused.Length; i++)
        {
            Check.Close(reference[i], fused[i], $"fused vs materialized gradient {i}", 1e-3f, 1e-5f);
        }
    }

    [TestMethod]
    public void GradientCheck_SelfAndCross()
    {
        var self = new MultiheadAttention(8, 2, random: new Random(3));
        var cross = new MultiheadAttention(8, 4, kdim: 5, vdim: 3, random: new Random(4));
        Tensor padding = Tensor.Zeros(2, 4);
        padding[1, 3] = 1f;
        GradCheck.Verify(x => self.Forward(x[0], keyPaddingMask: padding, needWeights: false, causal: true).Output, [GradCheck.Rand(1, 2, 4, 8)], "MHA self fused");
        GradCheck.Verify(x => self.Forward(x[0], keyPaddingMask: padding).Output, [GradCheck.Rand(1, 2, 4, 8)], "MHA self materialized");
        GradCheck.Verify(x => cross.Forward(x[0], x[1], x[2], needWeights: false).Output, [GradCheck.Rand(1, 2, 3, 8), GradCheck.Rand(2, 2, 4, 5), GradCheck.Rand(3, 2, 4, 3)], "MHA cross");
        Tensor values = GradCheck.Rand(3, 2, 4, 3);
        GradCheck.Verify(x => cross.Forward(x[0], x[1], values).Weights!, [GradCheck.Rand(1, 2, 3, 8), GradCheck.Rand(2, 2, 4, 5)], "MHA cross weights");
        Tensor input = GradCheck.Rand(5, 2, 4, 8);
        GradCheck.Verify(p => self.Forward(input, needWeights: false).Output, [.. self.Parameters()], "MHA parameters");
    }

    [TestMethod]
    public void BadInput_IsNamed()
    {
        var mha = new MultiheadAttention(12, 3);
        var e1 = Assert.ThrowsExactly<ArgumentException>(() => mha.Forward(Tensor.Zeros(2, 5, 10)));
        StringAssert.Contains(e1.Message, "[batch, length, 12]");
        var e2 = Assert.ThrowsExactly<ArgumentException>(() => mha.Forward(Tensor.Zeros(2, 5, 12), blockMask: Tensor.Zeros(5, 5, 5)));
        StringAssert.Contains(e2.Message, "[batch·heads, queries, keys] = [6, 5, 5]");
        Assert.ThrowsExactly<ArgumentException>(() => new MultiheadAttention(10, 3));
    }

    private static Tensor[] Gradients(Fixture f, bool needWeights, out Tensor y)
    {
        var mha = new MultiheadAttention(12, 3);
        mha.LoadStateDict(f.Parameters());
        Tensor x = f.Input("x");
        y = mha.Forward(x, keyPaddingMask: f["input.key_padding_mask"], blockMask: f["input.attn_mask"], needWeights: needWeights).Output;
        y.Mul(f["grad_output.y"]).Sum().Backward();
        return [x.Grad!, .. mha.Parameters().Select(p => p.Grad!)];
    }

    private static void CompareAll(Fixture f, MultiheadAttention mha, AttentionResult r, (string Name, Tensor Tensor)[] inputs)
    {
        Check.Close(f["output.y"], r.Output, $"{f.Name} output");
        Check.Close(f["output.weights"], r.Weights!, $"{f.Name} weights");
        r.Output.Mul(f["grad_output.y"]).Sum().Add(r.Weights!.Mul(f["grad_output.weights"]).Sum()).Backward();
        foreach ((string name, Tensor t) in inputs)
        {
            Check.Close(f["grad.input." + name], t.Grad!, $"{f.Name} gradient of {name}");
        }

        foreach (KeyValuePair<string, Tensor> p in mha.NamedParameters())
        {
            Check.Close(f["grad.param." + p.Key], p.Value.Grad!, $"{f.Name} gradient of {p.Key}");
        }
    }
}
