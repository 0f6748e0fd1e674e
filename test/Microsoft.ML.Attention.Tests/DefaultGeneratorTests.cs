using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Tests;

/// <summary>Modules built without a generator draw from the one default generator: never the same weights or masks by accident, reproducible after <c>ManualSeed</c>.</summary>
[TestClass]
public sealed class DefaultGeneratorTests
{
    [TestMethod]
    public void ModulesBuiltAlikeWithoutAGenerator_GetDifferentWeightsAndMasks()
    {
        var a = new Linear(64, 64);
        var b = new Linear(64, 64);
        CollectionAssert.AreNotEqual(a.Weight.ToArray(), b.Weight.ToArray(), "two new Linear(64, 64) must not share weights");
        var m1 = new MultiheadAttention(16, 2);
        var m2 = new MultiheadAttention(16, 2);
        CollectionAssert.AreNotEqual(m1.StateDict()["in_proj_weight"].ToArray(), m2.StateDict()["in_proj_weight"].ToArray());

        var d1 = new Dropout(0.5f);
        var d2 = new Dropout(0.5f);
        Tensor x = Tensor.Ones(1000);
        CollectionAssert.AreNotEqual(d1.Forward(x).ToArray(), d2.Forward(x).ToArray(), "two dropout layers must not share masks");
    }

    [TestMethod]
    [DoNotParallelize]
    public void ManualSeed_ReproducesTheSameModules()
    {
        (float[] Weights, float[] Mask) Build()
        {
            var layer = new TransformerEncoderLayer(16, 2, 32, dropout: 0.5f);
            layer.Train();
            return (layer.StateDict()["linear1.weight"].ToArray(), new Dropout(0.5f).Forward(Tensor.Ones(200)).ToArray());
        }

        try
        {
            DefaultGenerator.ManualSeed(42);
            var first = Build();
            DefaultGenerator.ManualSeed(42);
            var again = Build();
            DefaultGenerator.ManualSeed(43);
            var other = Build();
            CollectionAssert.AreEqual(first.Weights, again.Weights);
            CollectionAssert.AreEqual(first.Mask, again.Mask);
            CollectionAssert.AreNotEqual(first.Weights, other.Weights);
        }
        finally
        {
            DefaultGenerator.ManualSeed(DefaultGenerator.InitialSeed);
        }
    }
}
