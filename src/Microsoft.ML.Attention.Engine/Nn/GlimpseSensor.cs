using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// The glimpse sensor ("retina") of recurrent visual attention (Mnih et al. 2014): around a location l = (x, y) in
/// [−1, 1]² (−1 the left/top edge, +1 the right/bottom), square patches of <see cref="PatchSize"/>,
/// <see cref="PatchSize"/>·s, <see cref="PatchSize"/>·s², … pixels (<see cref="Scales"/> of them), each averaged down
/// to <see cref="PatchSize"/>² and zero outside the image, stacked scale by scale: [N, Scales·C, g, g]. The patch of
/// size p starts at pixel ⌊(l + 1)·size/2⌋ − ⌊p/2⌋, as kevinzakka/recurrent-visual-attention's <c>Retina</c>. Hard
/// attention: nothing flows back to the location (the policy that chose it learns by REINFORCE) or to the image.
/// </summary>
public sealed class GlimpseSensor
{
    /// <summary>Creates the sensor.</summary>
    public GlimpseSensor(int patchSize, int scales, int scaleFactor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(patchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scales);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scaleFactor);
        PatchSize = patchSize;
        Scales = scales;
        ScaleFactor = scaleFactor;
    }

    /// <summary>Side g of the finest patch and of every scale's output.</summary>
    public int PatchSize { get; }

    /// <summary>How many patches.</summary>
    public int Scales { get; }

    /// <summary>Each patch's side over the previous one's.</summary>
    public int ScaleFactor { get; }

    /// <summary>Values per image of a glimpse: Scales · C · g².</summary>
    public int GlimpseSize(int channels) => Scales * channels * PatchSize * PatchSize;

    /// <summary>The glimpses of images [N, C, H, W] at locations [N, 2] (clamped to [−1, 1]): [N, Scales·C, g, g].</summary>
    public Tensor Extract(Tensor images, Tensor locations)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(locations);
        if (images.Rank != 4 || locations.Rank != 2 || locations.Dims[1] != 2 || locations.Dims[0] != images.Dims[0])
        {
            throw new ArgumentException($"GlimpseSensor expects images [N, C, H, W] and locations [N, 2]; got {ShapeMath.Format(images.Dims)} and {ShapeMath.Format(locations.Dims)}.");
        }

        int n = images.Dims[0], c = images.Dims[1], h = images.Dims[2], w = images.Dims[3], g = PatchSize;
        Tensor glimpse = Tensor.Zeros([n, Scales * c, g, g]);
        CpuParallel.For(n, b =>
        {
            ReadOnlySpan<float> img = images.AsSpan().Slice(b * c * h * w, c * h * w);
            Span<float> dst = glimpse.AsSpan().Slice(b * Scales * c * g * g, Scales * c * g * g);
            float lx = Math.Clamp(locations.AsSpan()[b * 2], -1f, 1f), ly = Math.Clamp(locations.AsSpan()[b * 2 + 1], -1f, 1f);
            int cx = (int)(0.5f * ((lx + 1f) * w)), cy = (int)(0.5f * ((ly + 1f) * h));
            int size = g;
            for (int s = 0; s < Scales; s++)
            {
                Patch(img, c, h, w, cx - size / 2, cy - size / 2, size, g, dst.Slice(s * c * g * g, c * g * g));
                size *= ScaleFactor;
            }
        });
        return glimpse;
    }

    /// <summary>The size×size patch at (x0, y0), zero outside, averaged over (size/g)² blocks into [C, g, g].</summary>
    private static void Patch(ReadOnlySpan<float> img, int c, int h, int w, int x0, int y0, int size, int g, Span<float> dst)
    {
        int block = size / g;
        float inv = 1f / (block * block);
        for (int ch = 0; ch < c; ch++)
        {
            for (int i = 0; i < g; i++)
            {
                for (int j = 0; j < g; j++)
                {
                    float acc = 0f;
                    for (int di = 0; di < block; di++)
                    {
                        int r = y0 + i * block + di;
                        if ((uint)r >= (uint)h)
                        {
                            continue;
                        }

                        for (int dj = 0; dj < block; dj++)
                        {
                            int col = x0 + j * block + dj;
                            if ((uint)col < (uint)w)
                            {
                                acc += img[(ch * h + r) * w + col];
                            }
                        }
                    }

                    dst[(ch * g + i) * g + j] = acc * inv;
                }
            }
        }
    }
}
