using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Support;

namespace Microsoft.ML.Attention.Tests.Vision;

/// <summary>Behaviour of the vision modules beyond parity: starting states, rounding rules and bad input.</summary>
[TestClass]
public sealed class VisionModuleTests
{
    [TestMethod]
    public void SpatialTransformer_StartsAsTheIdentity()
    {
        var random = new Random(1);
        var stn = new SpatialTransformer(new Sequential(new Flatten(), new Linear(3 * 5 * 6, 4, random: random)), 4, 5, 6, random);
        Tensor x = GradCheck.Rand(2, 2, 3, 5, 6);
        SpatialTransformerOutput o = stn.Transform(x);
        Check.Close(x, o.Output, "the identity transform samples every pixel at its centre", rtol: 1e-5f, atol: 1e-5f);
        Check.Close(Tensor.FromArray([1f, 0f, 0f, 0f, 1f, 0f, 1f, 0f, 0f, 0f, 1f, 0f], 2, 2, 3), o.Theta, "theta");
    }

    [TestMethod]
    public void MakeDivisible_FollowsTimm()
    {
        Assert.AreEqual(8, ChannelRounding.MakeDivisible(2f, 8, 0f));
        Assert.AreEqual(16, ChannelRounding.MakeDivisible(12f, 8, 0f));
        Assert.AreEqual(24, ChannelRounding.MakeDivisible(20f, 8, 0f), "20 + 4 = 24 → 24");
        Assert.AreEqual(16, ChannelRounding.MakeDivisible(17f, 8), "17 → 16, which is ≥ 0.9 × 17");
        Assert.AreEqual(32, ChannelRounding.MakeDivisible(19f, 16), "19 → 16, below 0.9 × 19, so one divisor more");
    }

    [TestMethod]
    public void GlimpseSensor_RefusesMismatchedLocations()
    {
        var sensor = new GlimpseSensor(4, 2, 2);
        var e = Assert.ThrowsExactly<ArgumentException>(() => sensor.Extract(Tensor.Zeros([2, 1, 8, 8]), Tensor.Zeros([3, 2])));
        StringAssert.Contains(e.Message, "[3, 2]");
    }

    [TestMethod]
    public void GridSample_RefusesAGridOfAnotherBatch()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Tensor.Zeros([2, 1, 4, 4]).GridSample(Tensor.Zeros([1, 3, 3, 2])));
        StringAssert.Contains(e.Message, "[1, 3, 3, 2]");
    }
}
