using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Support;

namespace Microsoft.ML.Attention.Tests.Vision;

/// <summary>
/// The batched convolution (images unfolded side by side, in chunks bounded by <see cref="Convolution.MaxColumnFloats"/>)
/// gives, image by image, what a convolution of that image alone gives: output, input gradient and the weight and bias
/// gradients summed over the images.
/// </summary>
[TestClass]
public sealed class ConvolutionBatchingTests
{
    [TestMethod]
    [DataRow(1, 1, 1)]
    [DataRow(1, 0, 2)]
    [DataRow(2, 1, 1)]
    public void ImagesAcrossSeveralChunks_EqualOneImageAtATime(int stride, int padding, int groups)
    {
        // 64 channels of 32×30 with a 3×3 kernel: up to 576 × 960 column floats per image; enough images for two full
        // chunks and a partial third.
        const int C = 64, O = 8, H = 32, W = 30;
        var geo = new ConvGeometry(C / groups, H, W, 3, 3, stride, padding, padding);
        int perChunk = Convolution.ImagesPerChunk(geo, int.MaxValue);
        int N = 2 * perChunk + 1;
        Assert.IsTrue(perChunk < 40, $"the case must stay small ({perChunk} images per chunk)");

        Tensor x = GradCheck.Rand(1, N, C, H, W), w = GradCheck.Rand(2, O, C / groups, 3, 3), b = GradCheck.Rand(3, O);
        foreach (Tensor t in new[] { x, w, b })
        {
            t.RequiresGrad = true;
        }

        Tensor y = x.Conv2d(w, b, stride, padding, groups);
        Tensor r = GradCheck.Rand(4, y.Shape);
        y.Mul(r).Sum().Backward();

        Tensor gw = Tensor.Zeros(w.Shape), gb = Tensor.Zeros([O]);
        for (int i = 0; i < N; i++)
        {
            Tensor xi = x.Detach().Narrow(0, i, 1).Clone(), wi = w.Detach().Clone(), bi = b.Detach().Clone();
            foreach (Tensor t in new[] { xi, wi, bi })
            {
                t.RequiresGrad = true;
            }

            Tensor yi = xi.Conv2d(wi, bi, stride, padding, groups);
            Check.Close(yi, y.Detach().Narrow(0, i, 1), $"image {i} output");
            yi.Mul(r.Narrow(0, i, 1)).Sum().Backward();
            Check.Close(xi.Grad!, x.Grad!.Narrow(0, i, 1), $"image {i} input gradient");
            gw = gw.Add(wi.Grad!);
            gb = gb.Add(bi.Grad!);
        }

        Check.Close(gw, w.Grad!, "weight gradient summed over the images", rtol: 1e-4f, atol: 1e-3f);
        Check.Close(gb, b.Grad!, "bias gradient summed over the images", rtol: 1e-4f, atol: 1e-3f);
    }
}
