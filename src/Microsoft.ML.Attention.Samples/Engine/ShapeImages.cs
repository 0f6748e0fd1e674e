using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Samples.Engine;

/// <summary>Generates noisy 12×12 images of four shapes at random positions: the sample's data, made in code.</summary>
public static class ShapeImages
{
    /// <summary>Size of a side.</summary>
    public const int Side = 12;

    /// <summary>Images [n, 1, 12, 12] and their class (0 horizontal bar, 1 vertical bar, 2 diagonal, 3 square outline).</summary>
    public static (Tensor Images, int[] Labels) Generate(int n, int seed)
    {
        var random = new Random(seed);
        var data = new float[n * Side * Side];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            int label = random.Next(4);
            labels[i] = label;
            Span<float> img = data.AsSpan(i * Side * Side, Side * Side);
            for (int p = 0; p < img.Length; p++)
            {
                img[p] = (float)(random.NextDouble() * 0.3);
            }

            int len = 5 + random.Next(4);
            int r = random.Next(Side - len), c = random.Next(Side - len);
            for (int k = 0; k < len; k++)
            {
                switch (label)
                {
                    case 0: img[(r + len / 2) * Side + c + k] = 1f; break;
                    case 1: img[(r + k) * Side + c + len / 2] = 1f; break;
                    case 2: img[(r + k) * Side + c + k] = 1f; break;
                    default:
                        img[r * Side + c + k] = 1f;
                        img[(r + len - 1) * Side + c + k] = 1f;
                        img[(r + k) * Side + c] = 1f;
                        img[(r + k) * Side + c + len - 1] = 1f;
                        break;
                }
            }
        }

        return (Tensor.FromArray(data, n, 1, Side, Side), labels);
    }
}
