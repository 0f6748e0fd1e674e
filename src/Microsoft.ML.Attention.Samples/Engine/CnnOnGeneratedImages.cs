using System.Diagnostics;
using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Serialization;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Training;

namespace Microsoft.ML.Attention.Samples.Engine;

/// <summary>
/// Trains a small CNN with the engine (Conv2d, BatchNorm, pooling, AdamW, cosine schedule) to tell apart
/// generated 12×12 images of four shapes, evaluates it, and round-trips its weights through safetensors.
/// </summary>
public static class CnnOnGeneratedImages
{
    private static readonly string[] s_classes = ["horizontal bar", "vertical bar", "diagonal", "square"];

    public static int Run()
    {
        const int seed = 42, batch = 32, epochs = 4;
        (Tensor trainX, int[] trainY) = ShapeImages.Generate(1024, seed);
        (Tensor testX, int[] testY) = ShapeImages.Generate(256, seed + 1);
        var random = new Random(seed);
        var model = new Sequential(
            new Conv2d(1, 8, 3, padding: 1, random: random), new BatchNorm(8), new Activation(ActivationKind.Relu),
            new Pool2d(PoolKind.Max, 2),
            new Conv2d(8, 16, 3, padding: 1, random: random), new Activation(ActivationKind.Relu),
            new AdaptiveAvgPool2d(1, 1), new Flatten(), new Linear(16, s_classes.Length, random: random));
        int steps = epochs * (trainY.Length / batch);
        var optimizer = new AdamW(model.Parameters(), learningRate: 0.01f);
        var schedule = new LearningRateSchedule(0.01f, warmupSteps: 10, totalSteps: steps);
        var loss = new CrossEntropyLoss();
        var clock = Stopwatch.StartNew();
        int step = 0;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            double total = 0;
            for (int start = 0; start + batch <= trainY.Length; start += batch)
            {
                using TensorScope scope = TensorScope.Begin();
                schedule.Apply(optimizer, step++);
                optimizer.ZeroGrad();
                Tensor logits = model.Forward(trainX.Narrow(0, start, batch));
                Tensor l = loss.Forward(logits, trainY.AsSpan(start, batch));
                l.Backward();
                optimizer.Step();
                total += l.Item();
            }

            Console.WriteLine($"epoch {epoch}: mean training loss {total / (trainY.Length / batch):F4}");
        }

        double accuracy = Accuracy(model, testX, testY);
        Console.WriteLine($"test accuracy {accuracy:P1} on {testY.Length} generated images ({clock.Elapsed.TotalSeconds:F1} s)");

        string path = Path.Combine(Path.GetTempPath(), "attention-sample-cnn.safetensors");
        model.SaveWeights(path);
        var reloaded = new Sequential(
            new Conv2d(1, 8, 3, padding: 1), new BatchNorm(8), new Activation(ActivationKind.Relu), new Pool2d(PoolKind.Max, 2),
            new Conv2d(8, 16, 3, padding: 1), new Activation(ActivationKind.Relu),
            new AdaptiveAvgPool2d(1, 1), new Flatten(), new Linear(16, s_classes.Length));
        reloaded.LoadWeights(path);
        Console.WriteLine($"weights saved to {path} and reloaded: accuracy {Accuracy(reloaded, testX, testY):P1}");
        return accuracy > 0.9 ? 0 : 1;
    }

    private static double Accuracy(Module<Tensor, Tensor> model, Tensor x, int[] y)
    {
        model.Eval();
        using (GradMode.NoGrad())
        {
            int[] predicted = model.Forward(x).ArgMax(-1);
            return predicted.Zip(y).Count(p => p.First == p.Second) / (double)y.Length;
        }
    }
}
