using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using static Microsoft.ML.Attention.Tests.Support.GradCheck;

namespace Microsoft.ML.Attention.Tests.Vision;

/// <summary>Finite-difference checks of the vision operations and attention blocks.</summary>
[TestClass]
public sealed class VisionGradCheckTests
{
    [TestMethod]
    public void Conv1dAndHardSigmoid()
    {
        Verify(x => x[0].Conv1d(x[1], x[2], stride: 2, padding: 2), [Rand(1, 2, 3, 9), Rand(2, 4, 3, 5), Rand(3, 4)], "Conv1d stride 2 padding 2");
        Verify(x => x[0].Conv1d(x[1], null, padding: 1, groups: 2), [Rand(1, 2, 4, 6), Rand(2, 2, 2, 3)], "Conv1d groups 2");
        Verify(x => x[0].Mul(2.5f).HardSigmoid(), [Rand(1, 4, 6)], "HardSigmoid");
    }

    [TestMethod]
    [DataRow(GridPaddingMode.Zeros, false)]
    [DataRow(GridPaddingMode.Zeros, true)]
    [DataRow(GridPaddingMode.Border, false)]
    [DataRow(GridPaddingMode.Border, true)]
    public void GridSample_InputAndGrid(GridPaddingMode padding, bool alignCorners)
    {
        Verify(x => x[0].GridSample(x[1], padding, alignCorners), [Rand(1, 2, 2, 4, 5), OffPixelGrid(2, 2, 3, 6, 4, 5, alignCorners)],
            $"GridSample {padding} align {alignCorners}", eps: 1e-3f);
    }

    [TestMethod]
    public void AffineGrid_Theta()
    {
        Verify(x => x[0].AffineGrid(3, 5, alignCorners: false), [Rand(1, 2, 2, 3)], "AffineGrid");
        Verify(x => x[0].AffineGrid(4, 1, alignCorners: true), [Rand(2, 2, 2, 3)], "AffineGrid aligned, one column");
    }

    [TestMethod]
    public void AttentionBlocks()
    {
        var se = new SqueezeExcite(8, new Random(1), reductionRatio: 0.25f, divisor: 1, addMaxPool: true);
        Verify(x => se.Forward(x[0]), [Distinct(1, 2, 8, 3, 3), .. se.Parameters()], "SqueezeExcite");
        var eca = new EfficientChannelAttention(16, new Random(2));
        Verify(x => eca.Forward(x[0]), [Rand(2, 2, 16, 2, 2), .. eca.Parameters()], "EfficientChannelAttention");
        var cbam = new Cbam(8, new Random(3), reductionRatio: 0.5f, spatialKernelSize: 3);
        Verify(x => cbam.Forward(x[0]), [Distinct(3, 2, 8, 4, 3), .. cbam.Parameters()], "CBAM", eps: 1e-3f);
    }

    [TestMethod]
    public void SpatialTransformer_ThroughTheLocalisationHead()
    {
        var random = new Random(4);
        var stn = new SpatialTransformer(new Sequential(new Flatten(), new Linear(2 * 4 * 4, 5, random: random), new Activation(ActivationKind.Tanh)), 5, 3, 3, random);

        // Move the head off its zero start, so that the gradient reaches the localisation network too.
        Tensor.Randn(new Random(5), 0.1f, stn.Head.Weight.Shape).AsSpan().CopyTo(stn.Head.Weight.AsSpan());
        Verify(x => stn.Forward(x[0]), [Rand(6, 2, 2, 4, 4), .. stn.Parameters()], "SpatialTransformer", eps: 1e-3f);
    }

    /// <summary>A grid whose points lie between pixels (away from bilinear kinks by at least 0.2 pixel), some outside the image.</summary>
    private static Tensor OffPixelGrid(int seed, int n, int ho, int wo, int h, int w, bool alignCorners)
    {
        var random = new Random(seed);
        Tensor grid = Tensor.Empty([n, ho, wo, 2]);
        Span<float> g = grid.AsSpan();
        for (int i = 0; i < g.Length; i++)
        {
            int size = i % 2 == 0 ? w : h;
            float pixel = random.Next(-2, size + 1) + 0.2f + 0.6f * random.NextSingle();
            g[i] = alignCorners ? pixel / ((size - 1) * 0.5f) - 1f : (2f * pixel + 1f) / size - 1f;
        }

        return grid;
    }

    /// <summary>Values with distinct magnitudes, so that maxima do not tie under a finite-difference step.</summary>
    private static Tensor Distinct(int seed, params int[] shape)
    {
        Tensor t = Tensor.Empty(shape);
        int[] order = [.. Enumerable.Range(0, t.Length)];
        var random = new Random(seed);
        random.Shuffle(order);
        Span<float> s = t.AsSpan();
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = (order[i] - s.Length / 2f) * 0.05f;
        }

        return t;
    }
}
