using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.PerformanceTests.Evals;

/// <summary>
/// <c>build/eval.sh fmnist</c>: the CBAM image classifier through the ML.NET API on Fashion-MNIST (60k train / 10k
/// test, read from the IDX files of <c>apt-get install dataset-fashion-mnist</c>): a VGG-style backbone
/// ([conv-BN-ReLU]×2 at 32 and 64 channels, CBAM after each stage, flattened into FC 256, dropout 0.3), random shift
/// and flip, AdamW with a cosine schedule, a training time budget; training time, epochs and test accuracy.
/// </summary>
internal static class FashionMnistEval
{
    internal sealed class Image
    {
        public uint Label { get; set; }

        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = [];
    }

    internal static int Run(string dataDirectory, int epochs, double minutes)
    {
        Image[] train = Read(dataDirectory, "train"), test = Read(dataDirectory, "t10k");
        var mlContext = new MLContext(seed: 0);
        var clock = Stopwatch.StartNew();
        mlContext.Log += (_, e) =>
        {
            int at = e.Message.IndexOf("ImageAttention: ", StringComparison.Ordinal);
            if (at >= 0)
            {
                Console.WriteLine($"[{clock.Elapsed.TotalMinutes:F1} min] {e.Message[at..]}");
            }
        };

        var options = new ImageAttentionOptions
        {
            Attention = ImageAttentionKind.Cbam, StageChannels = [32, 64], ConvolutionsPerStage = 2, Pooling = ImagePooling.Flatten, EmbeddingDimension = 256,
            Dropout = 0.3f, RandomShift = 2, RandomHorizontalFlip = true, Epochs = epochs, BatchSize = 128, ValidationFraction = 0.05f,
            MaximumTrainingTime = TimeSpan.FromMinutes(minutes), Seed = 1,
        };
        Console.WriteLine($"ImageAttention (CBAM) on Fashion-MNIST: at most {epochs} epochs and {minutes} minutes");
        IDataView trainData = mlContext.Data.LoadFromEnumerable(train), testData = mlContext.Data.LoadFromEnumerable(test);
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.MulticlassClassification.Trainers.ImageAttention(options));
        clock.Restart();
        ITransformer model = pipeline.Fit(trainData);
        double trainMinutes = clock.Elapsed.TotalMinutes;
        var scoring = Stopwatch.StartNew();
        MulticlassClassificationMetrics metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(testData));
        Console.WriteLine($"RESULT fmnist.cbam.test_accuracy {metrics.MicroAccuracy:F4} fraction");
        Console.WriteLine($"RESULT fmnist.cbam.train_minutes {trainMinutes:F2} min");
        Console.WriteLine($"RESULT fmnist.cbam.score_10k_seconds {scoring.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    /// <summary>The images (planar 1×28×28, values 0–255) and labels of an IDX pair such as train-images-idx3-ubyte.gz.</summary>
    internal static Image[] Read(string directory, string split)
    {
        byte[] images = Gunzip(Path.Combine(directory, $"{split}-images-idx3-ubyte.gz")), labels = Gunzip(Path.Combine(directory, $"{split}-labels-idx1-ubyte.gz"));
        if (BinaryPrimitives.ReadInt32BigEndian(images) != 2051 || BinaryPrimitives.ReadInt32BigEndian(labels) != 2049)
        {
            throw new InvalidDataException($"{directory}/{split}-*: not IDX image and label files (magic numbers {BinaryPrimitives.ReadInt32BigEndian(images)}, {BinaryPrimitives.ReadInt32BigEndian(labels)}).");
        }

        int count = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(4)), rows = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(8)), cols = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(12));
        if (rows != 28 || cols != 28 || BinaryPrimitives.ReadInt32BigEndian(labels.AsSpan(4)) != count || images.Length != 16 + count * 784 || labels.Length != 8 + count)
        {
            throw new InvalidDataException($"{directory}/{split}-*: {count} images of {rows}×{cols} do not match the file sizes or the labels.");
        }

        return [.. Enumerable.Range(0, count).Select(i => new Image
        {
            Label = labels[8 + i],
            Features = [.. images.AsSpan(16 + i * 784, 784).ToArray().Select(b => (float)b)],
        })];
    }

    private static byte[] Gunzip(string path)
    {
        using var input = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
