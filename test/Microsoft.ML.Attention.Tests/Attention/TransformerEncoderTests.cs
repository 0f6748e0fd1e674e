using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Support;

namespace Microsoft.ML.Attention.Tests.Attention;

/// <summary>Encoder layers against PyTorch fixtures in both norm orders; the stack's per-layer weights; positional codes.</summary>
[TestClass]
public sealed class TransformerEncoderTests
{
    [TestMethod]
    [DataRow("encoder_layer_post_norm", false, ActivationKind.Relu)]
    [DataRow("encoder_layer_pre_norm", true, ActivationKind.Gelu)]
    public void EncoderLayer_MatchesPyTorch(string fixture, bool normFirst, ActivationKind activation)
    {
        var f = Fixture.Load(fixture);
        var layer = new TransformerEncoderLayer(16, 4, 32, dropout: 0f, activation: activation, normFirst: normFirst);
        layer.LoadStateDict(f.Parameters());
        Tensor x = f.Input("x");
        Tensor y = layer.Forward(x, keyPaddingMask: f["input.key_padding_mask"]).Output;
        Check.Close(f["output.y"], y, $"{fixture} output");
        y.Mul(f["grad_output.y"]).Sum().Backward();
        Check.Close(f["grad.input.x"], x.Grad!, $"{fixture} input gradient");
        foreach (KeyValuePair<string, Tensor> p in layer.NamedParameters())
        {
            Check.Close(f["grad.param." + p.Key], p.Value.Grad!, $"{fixture} gradient of {p.Key}", 1e-4f, 2e-5f);
        }
    }

    [TestMethod]
    public void Encoder_ReturnsEveryLayersWeights_WithoutChangingTheOutput()
    {
        var encoder = new TransformerEncoder(3, i => new TransformerEncoderLayer(16, 4, 32, dropout: 0f, random: new Random(i)));
        encoder.Eval();
        Tensor x = GradCheck.Rand(1, 2, 6, 16);
        Tensor padding = Tensor.Zeros(2, 6);
        padding[1, 5] = 1f;
        TransformerEncoderOutput plain = encoder.Forward(x, padding);
        TransformerEncoderOutput perHead = encoder.Forward(x, padding, weights: AttentionWeights.PerHead);
        Assert.IsNull(plain.LayerWeights);
        Assert.AreEqual(3, perHead.LayerWeights!.Count);
        Check.Close(plain.Output, perHead.Output, "output with and without weights");
        foreach (Tensor w in perHead.LayerWeights)
        {
            CollectionAssert.AreEqual(new[] { 2, 4, 6, 6 }, w.Shape);
            for (int row = 0; row < 4 * 6; row++)
            {
                Assert.AreEqual(0f, w[1, row / 6, row % 6, 5], "the padded key gets no weight");
            }
        }

        Assert.AreEqual(4, encoder.StateDict().Keys.Count(k => k.StartsWith("layers.2.", StringComparison.Ordinal) && k.Contains("norm")), "PyTorch names: layers.N.normK.weight/bias");
        Assert.IsTrue(encoder.StateDict().ContainsKey("layers.0.self_attn.in_proj_weight"));
    }

    [TestMethod]
    public void GradientChecks_EncoderLayersAndPositionalCodes()
    {
        foreach (bool normFirst in new[] { false, true })
        {
            var layer = new TransformerEncoderLayer(8, 2, 12, dropout: 0f, activation: ActivationKind.Gelu, normFirst: normFirst, random: new Random(5));
            GradCheck.Verify(x => layer.Forward(x[0], causal: true).Output, [GradCheck.Rand(1, 2, 5, 8)], $"encoder layer normFirst={normFirst}");
            Tensor input = GradCheck.Rand(2, 2, 5, 8);
            GradCheck.Verify(_ => layer.Forward(input).Output, [.. layer.Parameters()], $"encoder layer parameters normFirst={normFirst}", maxElements: 24);
        }

        var learned = new LearnedPositionalEncoding(10, 4, new Random(1));
        GradCheck.Verify(x => learned.Forward(x[0]), [GradCheck.Rand(1, 2, 3, 4)], "learned positions (input)");
        GradCheck.Verify(_ => learned.Forward(GradCheck.Rand(1, 2, 3, 4)), [learned.Weight], "learned positions (table)");
        GradCheck.Verify(x => new SinusoidalPositionalEncoding(4, 10).Forward(x[0]), [GradCheck.Rand(1, 2, 3, 4)], "sinusoidal positions");
    }

    [TestMethod]
    public void SinusoidalCode_HasTheKnownValues()
    {
        var pe = new SinusoidalPositionalEncoding(4, 8);
        Tensor y = pe.Forward(Tensor.Zeros(1, 3, 4));
        float[] expected =
        [
            0f, 1f, 0f, 1f,
            MathF.Sin(1f), MathF.Cos(1f), MathF.Sin(0.01f), MathF.Cos(0.01f),
            MathF.Sin(2f), MathF.Cos(2f), MathF.Sin(0.02f), MathF.Cos(0.02f),
        ];
        Check.Close(expected, y.ToArray(), "PE rows 0..2");
        var e = Assert.ThrowsExactly<ArgumentException>(() => pe.Forward(Tensor.Zeros(1, 9, 4)));
        StringAssert.Contains(e.Message, "length ≤ 8");
    }
}
