using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Support;

namespace Microsoft.ML.Attention.Tests.Vision;

/// <summary>
/// The convolution spread over the cores by images (slices of images, small images unfolded several to a block, see
/// <see cref="Convolution.Slices"/>) gives, image by image, what a convolution of that image alone gives: output, input
/// gradient and the weight and bias gradients summed over the images; and the same bits on one core as on all.
/// </summary>
[TestClass]
public sealed class ConvolutionBatchingTests
{
    [TestMethod]
    [DataRow(1, 1, 1, 6, 6, 75)]
    [DataRow(1, 0, 2, 6, 6, 75)]
    [DataRow(2, 0, 1, 6, 6, 75)]
    [DataRow(1, 1, 1, 20, 18, 11)]
    [DataRow(2, 1, 2, 20, 18, 11)]
    public void ImagesAcrossSlicesAndBlocks_EqualOneImageAtATime(int stride, int padding, int groups, int h, int w, int n)
    {
        const int C = 8, O = 12;
        var geo = new ConvGeometry(C / groups, h, w, 3, 3, stride, padding, padding);
        Assert.IsFalse(Convolution.IsDirect(geo, O / groups), "the case must take the unfolded path");
        (int First, int End)[] slices = Convolution.Slices(geo, n);
        int block = Convolution.ImagesPerBlock(geo, n);
        Assert.IsTrue(slices.Length > 1, "the images must span several slices");
        Assert.IsTrue(block == 1 || slices.Any(s => (s.End - s.First) % block != 0), "a slice must end in a partial block");

        Tensor x = GradCheck.Rand(1, n, C, h, w), wt = GradCheck.Rand(2, O, C / groups, 3, 3), b = GradCheck.Rand(3, O);
        (Tensor y, Tensor gx, Tensor gw, Tensor gb) = Run(x, wt, b, stride, padding, groups, seed: 4);

        Tensor gwSum = Tensor.Zeros(wt.Shape), gbSum = Tensor.Zeros([O]);
        for (int i = 0; i < n; i++)
        {
            (Tensor yi, Tensor gxi, Tensor gwi, Tensor gbi) = Run(x.Narrow(0, i, 1).Clone(), wt, b, stride, padding, groups, seed: 4, gradientOf: (y.Shape, i));
            Check.Close(yi, y.Narrow(0, i, 1), $"image {i} output");
            Check.Close(gxi, gx.Narrow(0, i, 1), $"image {i} input gradient");
            gwSum = gwSum.Add(gwi);
            gbSum = gbSum.Add(gbi);
        }

        Check.Close(gwSum, gw, "weight gradient summed over the images", rtol: 1e-4f, atol: 1e-3f);
        Check.Close(gbSum, gb, "bias gradient summed over the images", rtol: 1e-4f, atol: 1e-3f);

        using (EngineThreads.OnCallingThreadOnly())
        {
            (Tensor y1, Tensor gx1, Tensor gw1, Tensor gb1) = Run(x, wt, b, stride, padding, groups, seed: 4);
            CollectionAssert.AreEqual(y.ToArray(), y1.ToArray(), "output on one core");
            CollectionAssert.AreEqual(gx.ToArray(), gx1.ToArray(), "input gradient on one core");
            CollectionAssert.AreEqual(gw.ToArray(), gw1.ToArray(), "weight gradient on one core");
            CollectionAssert.AreEqual(gb.ToArray(), gb1.ToArray(), "bias gradient on one core");
        }
    }

    /// <summary>
    /// Output and all gradients against the definition written out as loops, for the geometries the unfolding treats
    /// apart: "same" stride-1 convolutions (3×3 pad 1, 5×5 pad 2, a 1-pixel-wide image), valid ones, strided ones.
    /// </summary>
    [TestMethod]
    [DataRow(3, 1, 1, 7, 9)]
    [DataRow(5, 1, 2, 6, 5)]
    [DataRow(3, 1, 1, 4, 1)]
    [DataRow(3, 1, 0, 7, 9)]
    [DataRow(3, 2, 1, 7, 9)]
    [DataRow(1, 1, 0, 3, 4)]
    public void Convolution_EqualsTheDefinition(int k, int stride, int padding, int h, int w)
    {
        const int N = 3, C = 3, O = 6;
        Tensor x = GradCheck.Rand(11, N, C, h, w), wt = GradCheck.Rand(12, O, C, k, k), b = GradCheck.Rand(13, O);
        (Tensor y, Tensor gx, Tensor gw, Tensor gb) = Run(x, wt, b, stride, padding, 1, seed: 14);
        int oh = (h + 2 * padding - k) / stride + 1, ow = (w + 2 * padding - k) / stride + 1;
        float[] xs = x.ToArray(), ws = wt.ToArray(), bs = b.ToArray(), r = GradCheck.Rand(14, y.Shape).ToArray();
        float[] yRef = new float[N * O * oh * ow], gxRef = new float[xs.Length], gwRef = new float[ws.Length], gbRef = new float[O];
        for (int n = 0; n < N; n++)
        {
            for (int o = 0; o < O; o++)
            {
                for (int i = 0; i < oh; i++)
                {
                    for (int j = 0; j < ow; j++)
                    {
                        int yi = ((n * O + o) * oh + i) * ow + j;
                        double sum = bs[o];
                        gbRef[o] += r[yi];
                        for (int c = 0; c < C; c++)
                        {
                            for (int ki = 0; ki < k; ki++)
                            {
                                for (int kj = 0; kj < k; kj++)
                                {
                                    int row = i * stride - padding + ki, col = j * stride - padding + kj;
                                    if (row < 0 || row >= h || col < 0 || col >= w)
                                    {
                                        continue;
                                    }

                                    int xi = ((n * C + c) * h + row) * w + col, wi = ((o * C + c) * k + ki) * k + kj;
                                    sum += xs[xi] * ws[wi];
                                    gxRef[xi] += r[yi] * ws[wi];
                                    gwRef[wi] += r[yi] * xs[xi];
                                }
                            }
                        }

                        yRef[yi] = (float)sum;
                    }
                }
            }
        }

        Check.Close(y, Tensor.FromArray(yRef, y.Shape), "output");
        Check.Close(gx, Tensor.FromArray(gxRef, x.Shape), "input gradient");
        Check.Close(gw, Tensor.FromArray(gwRef, wt.Shape), "weight gradient", rtol: 1e-4f, atol: 1e-4f);
        Check.Close(gb, Tensor.FromArray(gbRef, [O]), "bias gradient", rtol: 1e-4f, atol: 1e-4f);
    }

    /// <summary>The convolution of fresh copies of the inputs and its gradients under a random output gradient (image <c>gradientOf.Image</c> of one drawn for the whole batch).</summary>
    private static (Tensor Y, Tensor Gx, Tensor Gw, Tensor Gb) Run(Tensor x, Tensor w, Tensor b, int stride, int padding, int groups, int seed, (int[] Shape, int Image)? gradientOf = null)
    {
        Tensor xi = x.Detach().Clone(), wi = w.Detach().Clone(), bi = b.Detach().Clone();
        foreach (Tensor t in new[] { xi, wi, bi })
        {
            t.RequiresGrad = true;
        }

        Tensor y = xi.Conv2d(wi, bi, stride, padding, groups);
        Tensor r = gradientOf is { } of ? GradCheck.Rand(seed, of.Shape).Narrow(0, of.Image, 1) : GradCheck.Rand(seed, y.Shape);
        y.Mul(r).Sum().Backward();
        return (y.Detach(), xi.Grad!, wi.Grad!, bi.Grad!);
    }
}
