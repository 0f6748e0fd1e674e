using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Pipeline;

/// <summary>An iris-like data set generated from a seed: three species, four measurements, overlapping clusters.</summary>
public sealed class FlowerRow
{
    [LoadColumn(0)] public float SepalLength { get; set; }
    [LoadColumn(1)] public float SepalWidth { get; set; }
    [LoadColumn(2)] public float PetalLength { get; set; }
    [LoadColumn(3)] public float PetalWidth { get; set; }
    [LoadColumn(4), ColumnName("Label")] public string Species { get; set; } = "";
}

public sealed class FlowerPrediction
{
    [ColumnName("PredictedLabel")] public string Species { get; set; } = "";
    public float[] Score { get; set; } = [];
}

internal static class Flowers
{
    private static readonly (string Name, float[] Mean)[] Species =
    [
        ("setosa", [5.0f, 3.4f, 1.5f, 0.2f]),
        ("versicolor", [5.9f, 2.8f, 4.3f, 1.3f]),
        ("virginica", [6.6f, 3.0f, 5.5f, 2.0f]),
    ];

    public static List<FlowerRow> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<FlowerRow>();
        for (int i = 0; i < count; i++)
        {
            var (name, mean) = Species[random.Next(Species.Length)];
            float Noise(float scale) => (float)(scale * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            rows.Add(new FlowerRow
            {
                SepalLength = mean[0] + Noise(0.35f),
                SepalWidth = mean[1] + Noise(0.3f),
                PetalLength = mean[2] + Noise(0.3f),
                PetalWidth = mean[3] + Noise(0.15f),
                Species = name,
            });
        }
        return rows;
    }
}
