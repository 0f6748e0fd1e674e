using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.Tests;

/// <summary>The weights' exponential moving average: its arithmetic, its bias correction and swapping in and out.</summary>
[TestClass]
public sealed class MovingAverageTests
{
    [TestMethod]
    public void Average_IsBiasCorrected_AndSwapsBackExactly()
    {
        var layer = new Linear(3, 2, random: new Random(1));
        var ema = new ExponentialMovingAverage(layer, 0.9f);
        float[] first = layer.Weight.ToArray();
        ema.Update();
        ema.Swap();
        Support.Check.Close(first, layer.Weight.ToArray(), "after one update the corrected average is the weights themselves", rtol: 1e-6f, atol: 1e-7f);
        ema.Swap();

        float[] second = [.. first.Select(v => v + 1f)];
        second.CopyTo(layer.Weight.AsSpan());
        ema.Update();
        ema.Swap();
        Assert.IsTrue(ema.Swapped);
        float[] averaged = layer.Weight.ToArray();
        for (int i = 0; i < first.Length; i++)
        {
            // (0.9·0.1·θ₁ + 0.1·θ₂) / (1 − 0.81)
            float expected = (0.9f * 0.1f * first[i] + 0.1f * second[i]) / (1f - 0.81f);
            Assert.AreEqual(expected, averaged[i], 1e-5f);
        }

        ema.Swap();
        CollectionAssert.AreEqual(second, layer.Weight.ToArray(), "swapping back restores the live weights");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ExponentialMovingAverage(layer, 1f));
    }
}
