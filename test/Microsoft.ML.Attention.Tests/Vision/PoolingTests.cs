using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Support;

namespace Microsoft.ML.Attention.Tests.Vision;

/// <summary>The 2×2 max-pooling path against a plain window loop, on odd sizes (the last row and column are dropped) and with NaN.</summary>
[TestClass]
public sealed class PoolingTests
{
    [TestMethod]
    public void MaxPool2x2_EqualsTheWindowLoop_ValuesAndGradient()
    {
        const int N = 3, C = 5, H = 7, W = 9;
        Tensor x = GradCheck.Rand(1, N, C, H, W);
        x.AsSpan()[12] = float.NaN; // row 1, column 3: the second window of the first plane
        x.RequiresGrad = true;
        Tensor y = x.MaxPool2d(2);
        CollectionAssert.AreEqual(new[] { N, C, 3, 4 }, y.Shape);
        Tensor g = GradCheck.Rand(2, y.Shape);
        y.Mul(g).Sum().Backward();

        float[] xs = x.Detach().ToArray(), expected = new float[y.Length], expectedGrad = new float[x.Length];
        for (int pl = 0; pl < N * C; pl++)
        {
            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 4; j++)
                {
                    int best = -1;
                    for (int di = 0; di < 2; di++)
                    {
                        for (int dj = 0; dj < 2; dj++)
                        {
                            int at = (pl * H + 2 * i + di) * W + 2 * j + dj;
                            if (best < 0 || xs[at] > xs[best] || float.IsNaN(xs[at]))
                            {
                                best = at;
                            }
                        }
                    }

                    int o = (pl * 3 + i) * 4 + j;
                    expected[o] = xs[best];
                    expectedGrad[best] += g.AsSpan()[o];
                }
            }
        }

        Assert.IsTrue(float.IsNaN(y.AsSpan()[1]), "the NaN window gives NaN");
        float[] actual = y.Detach().ToArray();
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.IsTrue(actual[i].Equals(expected[i]), $"output {i}: {actual[i]} vs {expected[i]}");
        }

        Check.Close(expectedGrad, x.Grad!.ToArray(), "max-pool gradient");
    }
}
