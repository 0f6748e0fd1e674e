using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.Tests;

/// <summary>
/// Training end to end on data generated here: an MLP on three interleaved spirals and a CNN on line-orientation
/// images reach a stated held-out accuracy, and the same seed gives bit-identical weights.
/// </summary>
[TestClass]
public sealed class EndToEndTrainingTests
{
    [TestMethod]
    public void Mlp_LearnsSpirals_AboveNinetyFivePercent_Deterministically()
    {
        (double accuracy, float[] weights) = TrainMlp(seed: 5);
        Console.WriteLine($"MLP spirals held-out accuracy {accuracy:P2}");
        Assert.IsTrue(accuracy >= 0.95, $"MLP held-out accuracy {accuracy:P1} is below 95%.");
        (double again, float[] weightsAgain) = TrainMlp(seed: 5);
        Assert.AreEqual(accuracy, again);
        CollectionAssert.AreEqual(weights, weightsAgain, "the same seed must give the same weights");
        (_, float[] other) = TrainMlp(seed: 6);
        CollectionAssert.AreNotEqual(weights, other, "another seed should give other weights");
    }

    [TestMethod]
    public void Cnn_LearnsLineOrientation_AboveNinetyFivePercent_Deterministically()
    {
        (double accuracy, float[] weights) = TrainCnn(seed: 3);
        Console.WriteLine($"CNN lines held-out accuracy {accuracy:P2}");
        Assert.IsTrue(accuracy >= 0.95, $"CNN held-out accuracy {accuracy:P1} is below 95%.");
        (double again, float[] weightsAgain) = TrainCnn(seed: 3);
        Assert.AreEqual(accuracy, again);
        CollectionAssert.AreEqual(weights, weightsAgain, "the same seed must give the same weights");
    }

    private static (double Accuracy, float[] Weights) TrainMlp(int seed)
    {
        (Tensor x, int[] y) = Spirals(900, seed);
        (Tensor tx, int[] ty) = Spirals(300, seed + 100);
        var random = new Random(seed);
        var net = new Sequential(new Linear(2, 64, random: random), new Activation(ActivationKind.Relu), new Linear(64, 64, random: random), new Activation(ActivationKind.Relu), new Linear(64, 3, random: random));
        Fit(net, x, y, epochs: 150, batch: 64, lr: 0.01f, seed);
        return (Accuracy(net, tx, ty), Flat(net));
    }

    private static (double Accuracy, float[] Weights) TrainCnn(int seed)
    {
        (Tensor x, int[] y) = Lines(800, seed);
        (Tensor tx, int[] ty) = Lines(200, seed + 100);
        var random = new Random(seed);
        var net = new Sequential(
            new Conv2d(1, 8, 3, padding: 1, random: random), new BatchNorm(8), new Activation(ActivationKind.Relu), new Pool2d(PoolKind.Max, 2),
            new Conv2d(8, 16, 3, padding: 1, random: random), new Activation(ActivationKind.Relu),
            new AdaptiveAvgPool2d(1, 1), new Flatten(), new Linear(16, 4, random: random));
        Fit(net, x, y, epochs: 6, batch: 32, lr: 0.01f, seed);
        return (Accuracy(net, tx, ty), Flat(net));
    }

    private static void Fit(Sequential net, Tensor x, int[] y, int epochs, int batch, float lr, int seed)
    {
        var optimizer = new Adam(net.Parameters(), lr);
        var loss = new CrossEntropyLoss();
        var shuffle = new Random(seed);
        int n = y.Length;
        int[] order = Enumerable.Range(0, n).ToArray();
        int width = x.Length / n;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            shuffle.Shuffle(order);
            for (int start = 0; start + batch <= n; start += batch)
            {
                using TensorScope scope = TensorScope.Begin();
                int[] idx = order[start..(start + batch)];
                int[] shape = x.Shape;
                shape[0] = batch;
                Tensor xb = x.Reshape(n, width).IndexSelect(idx).Reshape(shape);
                optimizer.ZeroGrad();
                loss.Forward(net.Forward(xb), idx.Select(i => y[i]).ToArray()).Backward();
                optimizer.Step();
            }
        }
    }

    private static double Accuracy(Sequential net, Tensor x, int[] y)
    {
        net.Eval();
        using (GradMode.NoGrad())
        {
            return net.Forward(x).ArgMax(-1).Zip(y).Count(p => p.First == p.Second) / (double)y.Length;
        }
    }

    private static float[] Flat(Module net) => [.. net.Parameters().SelectMany(p => p.ToArray())];

    /// <summary>Three interleaved noisy spirals in the plane.</summary>
    private static (Tensor X, int[] Y) Spirals(int n, int seed)
    {
        var random = new Random(seed);
        var x = new float[n * 2];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % 3;
            double r = random.NextDouble();
            double theta = c * 2 * Math.PI / 3 + r * 4 + random.NextDouble() * 0.2;
            x[2 * i] = (float)(r * Math.Cos(theta));
            x[2 * i + 1] = (float)(r * Math.Sin(theta));
            y[i] = c;
        }

        return (Tensor.FromArray(x, n, 2), y);
    }

    /// <summary>10×10 noisy images of a line: 0 horizontal, 1 vertical, 2 diagonal, 3 anti-diagonal.</summary>
    private static (Tensor X, int[] Y) Lines(int n, int seed)
    {
        const int side = 10;
        var random = new Random(seed);
        var x = new float[n * side * side];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            int c = random.Next(4);
            y[i] = c;
            Span<float> img = x.AsSpan(i * side * side, side * side);
            for (int p = 0; p < img.Length; p++)
            {
                img[p] = (float)random.NextDouble() * 0.4f;
            }

            int len = 5 + random.Next(3), r = random.Next(side - len), col = random.Next(side - len);
            for (int k = 0; k < len; k++)
            {
                int rr = c switch { 0 => r, 1 => r + k, 2 => r + k, _ => r + len - 1 - k };
                int cc = c switch { 0 => col + k, 1 => col, _ => col + k };
                img[rr * side + cc] = 1f;
            }
        }

        return (Tensor.FromArray(x, n, 1, side, side), y);
    }
}
