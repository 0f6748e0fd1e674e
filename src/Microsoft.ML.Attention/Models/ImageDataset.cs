using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Training images held as planar pixel vectors with their class indices; batches of them as [N, C, H, W] tensors,
/// optionally augmented (random shift with zero fill, random horizontal flip).
/// </summary>
public sealed class ImageDataset
{
    private readonly float[][] _images;
    private readonly int[] _labels;

    /// <summary>Wraps <paramref name="images"/> (each <see cref="ImageShape.Size"/> values) and their labels.</summary>
    public ImageDataset(ImageShape shape, float[][] images, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.Length != labels.Length)
        {
            throw new ArgumentException($"{images.Length} images but {labels.Length} labels.", nameof(labels));
        }

        for (int i = 0; i < images.Length; i++)
        {
            if (images[i] is null || images[i].Length != shape.Size)
            {
                throw new ArgumentException($"Image {i} has {images[i]?.Length ?? 0} values; images of {shape} have {shape.Size}.", nameof(images));
            }
        }

        Shape = shape;
        _images = images;
        _labels = labels;
    }

    /// <summary>The image layout.</summary>
    public ImageShape Shape { get; }

    /// <summary>How many images.</summary>
    public int Count => _images.Length;

    /// <summary>The class index of each image.</summary>
    public IReadOnlyList<int> Labels => _labels;

    /// <summary>Per-channel mean and standard deviation over the given images' pixels (standard deviation at least 1e-6).</summary>
    public (float[] Mean, float[] Std) ChannelStatistics(IEnumerable<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int c = Shape.Channels, plane = Shape.Height * Shape.Width;
        double[] sum = new double[c], squares = new double[c];
        long count = 0;
        foreach (int r in rows)
        {
            for (int ch = 0; ch < c; ch++)
            {
                ReadOnlySpan<float> p = _images[r].AsSpan(ch * plane, plane);
                for (int i = 0; i < p.Length; i++)
                {
                    sum[ch] += p[i];
                    squares[ch] += (double)p[i] * p[i];
                }
            }

            count++;
        }

        float[] mean = new float[c], std = new float[c];
        for (int ch = 0; ch < c; ch++)
        {
            double n = Math.Max(1, count * plane), m = sum[ch] / n;
            mean[ch] = (float)m;
            std[ch] = (float)Math.Max(1e-6, Math.Sqrt(Math.Max(0, squares[ch] / n - m * m)));
        }

        return (mean, std);
    }

    /// <summary>
    /// The images of <paramref name="rows"/> as [N, C, H, W]; with <paramref name="random"/>, each is shifted by up to
    /// <paramref name="shift"/> pixels each way (zeros fill in) and, when <paramref name="flip"/>, mirrored with probability ½.
    /// </summary>
    public Tensor Batch(IReadOnlyList<int> rows, Random? random = null, int shift = 0, bool flip = false)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int c = Shape.Channels, h = Shape.Height, w = Shape.Width, size = Shape.Size;
        Tensor batch = Tensor.Empty([rows.Count, c, h, w]);
        Span<float> dst = batch.AsSpan();
        for (int b = 0; b < rows.Count; b++)
        {
            float[] image = _images[rows[b]];
            Span<float> target = dst.Slice(b * size, size);
            if (random is null || (shift == 0 && !flip))
            {
                image.CopyTo(target);
                continue;
            }

            int dy = shift > 0 ? random.Next(-shift, shift + 1) : 0, dx = shift > 0 ? random.Next(-shift, shift + 1) : 0;
            bool mirror = flip && random.Next(2) == 1;
            Shifted(image, c, h, w, dy, dx, mirror, target);
        }

        return batch;
    }

    /// <summary>The class indices of <paramref name="rows"/>.</summary>
    public int[] LabelsOf(IReadOnlyList<int> rows) => [.. rows.Select(r => _labels[r])];

    /// <summary>A SHA-256 of the layout, every image's pixels and every label: what a training checkpoint must have been written on.</summary>
    internal string Hash()
    {
        using var hash = new DataHash();
        hash.Add([Shape.Channels, Shape.Height, Shape.Width]).Add(_labels);
        foreach (float[] image in _images)
        {
            hash.Add(image);
        }

        return hash.Finish();
    }

    private static void Shifted(float[] image, int c, int h, int w, int dy, int dx, bool mirror, Span<float> target)
    {
        target.Clear();
        for (int ch = 0; ch < c; ch++)
        {
            for (int y = 0; y < h; y++)
            {
                int sy = y - dy;
                if ((uint)sy >= (uint)h)
                {
                    continue;
                }

                ReadOnlySpan<float> src = image.AsSpan((ch * h + sy) * w, w);
                Span<float> row = target.Slice((ch * h + y) * w, w);
                for (int x = 0; x < w; x++)
                {
                    int sx = (mirror ? w - 1 - x : x) - dx;
                    if ((uint)sx < (uint)w)
                    {
                        row[x] = src[sx];
                    }
                }
            }
        }
    }
}
