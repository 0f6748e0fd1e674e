using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Support;

namespace Microsoft.ML.Attention.Tests;

/// <summary>
/// The row softmax (exp of every element on one vector path, short rows with a padded last vector) against a double
/// reference, and the masked softmax the attention modules use against the same scores with −∞ where the mask blocks.
/// </summary>
[TestClass]
public sealed class SoftmaxKernelTests
{
    [TestMethod]
    public void Softmax_MatchesDoublePrecision_ForRowLengthsAroundTheVectorWidths()
    {
        var random = new Random(5);
        foreach (int n in new[] { 1, 3, 7, 8, 9, 15, 16, 17, 20, 33, 64, 100 })
        {
            Tensor x = Tensor.Randn(random, 4f, 6, n);
            float[] y = x.Softmax(-1).ToArray(), xs = x.ToArray();
            for (int r = 0; r < 6; r++)
            {
                double max = xs.Skip(r * n).Take(n).Max();
                double sum = xs.Skip(r * n).Take(n).Sum(v => Math.Exp(v - max));
                for (int i = 0; i < n; i++)
                {
                    double expected = Math.Exp(xs[r * n + i] - max) / sum;
                    Assert.AreEqual(expected, y[r * n + i], 1e-6 * expected + 1e-9, $"n = {n}, row {r}, position {i}");
                }
            }
        }
    }

    [TestMethod]
    public void MaskedSoftmax_EqualsSoftmaxOfScoresWithMinusInfinityWhereBlocked_InForwardAndBackward()
    {
        var random = new Random(6);
        foreach ((int b, int l, int s) in new[] { (3, 1, 5), (2, 4, 20), (4, 2, 17), (300, 3, 20) })
        {
            Tensor scores = Tensor.Randn(random, 2f, b, l, s);
            Tensor mask = Tensor.Zeros(b, s);
            Span<float> m = mask.AsSpan();
            for (int i = 0; i < b; i++)
            {
                int valid = i == 1 ? 0 : 1 + random.Next(s); // row 1: every position padded
                for (int j = valid; j < s; j++)
                {
                    m[i * s + j] = 1f;
                }
            }

            Tensor bias = Tensor.Zeros(b, 1, s);
            for (int i = 0; i < b * s; i++)
            {
                bias.AsSpan()[i] = m[i] != 0f ? float.NegativeInfinity : 0f;
            }

            Tensor upstream = Tensor.Randn(random, 1f, b, l, s);
            Tensor x1 = scores.Detach(), x2 = scores.Detach();
            x1.RequiresGrad = true;
            x2.RequiresGrad = true;
            Tensor reference = x1.Add(bias).Softmax(-1), masked = Ops.MaskedSoftmax(x2, mask);
            reference.Mul(upstream).Sum().Backward();
            masked.Mul(upstream).Sum().Backward();
            Check.Close(reference.ToArray(), masked.ToArray(), $"[{b}, {l}, {s}]: weights", rtol: 1e-6f, atol: 1e-7f);
            Check.Close(x1.Grad!.ToArray(), x2.Grad!.ToArray(), $"[{b}, {l}, {s}]: gradient", rtol: 1e-5f, atol: 1e-7f);
            float[] w = masked.ToArray();
            for (int i = 0; i < b; i++)
            {
                for (int q = 0; q < l; q++)
                {
                    for (int j = 0; j < s; j++)
                    {
                        if (m[i * s + j] != 0f)
                        {
                            Assert.AreEqual(0f, w[(i * l + q) * s + j], $"[{b}, {l}, {s}]: blocked position {j} of row {i} has weight");
                        }
                    }
                }
            }
        }

        Assert.ThrowsExactly<ArgumentException>(() => Ops.MaskedSoftmax(Tensor.Zeros(2, 3, 4), Tensor.Zeros(2, 3)));
        GradCheck.Verify(x => Ops.MaskedSoftmax(x[0], Tensor.FromArray([0f, 0f, 1f, 0f, 0f, 0f, 0f, 1f], 2, 4)), [GradCheck.Rand(7, 2, 3, 4)], "masked softmax");
    }
}
