using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>Draws a spatial attention map over its image as a PNG.</summary>
internal static class AttentionHeatmap
{
    /// <summary>
    /// The image (planar; grey for one channel, the first three as R, G, B otherwise; stretched to its own range)
    /// enlarged by an integer factor to at least 256 pixels on its longer side, blended half and half with the map
    /// (bilinearly enlarged to the same size, scaled to its own range) in a blue → cyan → yellow → red scale.
    /// </summary>
    internal static byte[] Render(float[] pixels, ImageShape shape, float[] map, int mapHeight, int mapWidth)
    {
        int h = shape.Height, w = shape.Width, plane = h * w;
        int scale = Math.Max(1, (256 + Math.Max(h, w) - 1) / Math.Max(h, w));
        int oh = h * scale, ow = w * scale;
        float lo = pixels.Min(), hi = pixels.Max(), span = hi > lo ? hi - lo : 1f;
        float mlo = map.Min(), mhi = map.Max(), mspan = mhi > mlo ? mhi - mlo : 1f;
        byte[] rgb = new byte[oh * ow * 3];
        for (int y = 0; y < oh; y++)
        {
            for (int x = 0; x < ow; x++)
            {
                int src = y / scale * w + x / scale;
                float m = (Bilinear(map, mapHeight, mapWidth, (y + 0.5f) / oh, (x + 0.5f) / ow) - mlo) / mspan;
                (float r, float g, float b) = Palette(m);
                for (int c = 0; c < 3; c++)
                {
                    int channel = shape.Channels >= 3 ? c : 0;
                    float v = (pixels[channel * plane + src] - lo) / span;
                    float heat = c == 0 ? r : c == 1 ? g : b;
                    rgb[(y * ow + x) * 3 + c] = (byte)Math.Clamp((int)MathF.Round(255f * (0.5f * v + 0.5f * heat)), 0, 255);
                }
            }
        }

        return PngEncoder.Encode(ow, oh, rgb);
    }

    /// <summary>The map at fractional position (fy, fx) ∈ [0, 1)², pixel centres at (i + ½) / size.</summary>
    private static float Bilinear(float[] map, int h, int w, float fy, float fx)
    {
        float y = Math.Clamp(fy * h - 0.5f, 0f, h - 1), x = Math.Clamp(fx * w - 0.5f, 0f, w - 1);
        int y0 = (int)y, x0 = (int)x, y1 = Math.Min(h - 1, y0 + 1), x1 = Math.Min(w - 1, x0 + 1);
        float ty = y - y0, tx = x - x0;
        float top = map[y0 * w + x0] * (1 - tx) + map[y0 * w + x1] * tx;
        float bottom = map[y1 * w + x0] * (1 - tx) + map[y1 * w + x1] * tx;
        return top * (1 - ty) + bottom * ty;
    }

    /// <summary>
    /// A matrix of weights in [0, 1] (row-major <paramref name="rows"/> × <paramref name="columns"/>) as a PNG of
    /// <paramref name="cell"/>-pixel squares, white for 0 through the palette to red for the row's largest weight.
    /// </summary>
    internal static byte[] RenderMatrix(ReadOnlySpan<float> values, int rows, int columns, int cell)
    {
        int width = columns * cell, height = rows * cell;
        var rgb = new byte[width * height * 3];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = values.Slice(r * columns, columns);
            float max = 0f;
            foreach (float v in row)
            {
                max = MathF.Max(max, v);
            }

            for (int c = 0; c < columns; c++)
            {
                float t = max > 0f ? row[c] / max : 0f;
                (float red, float green, float blue) = Palette(t);

                // Blend toward white where the weight is small, so that empty cells read as background.
                byte R = (byte)(255 * (1 - t + t * red)), G = (byte)(255 * (1 - t + t * green)), B = (byte)(255 * (1 - t + t * blue));
                for (int y = r * cell; y < (r + 1) * cell; y++)
                {
                    for (int x = c * cell; x < (c + 1) * cell; x++)
                    {
                        int at = (y * width + x) * 3;
                        rgb[at] = R;
                        rgb[at + 1] = G;
                        rgb[at + 2] = B;
                    }
                }
            }
        }

        return PngEncoder.Encode(width, height, rgb);
    }

    private static (float R, float G, float B) Palette(float t)
    {
        t = Math.Clamp(t, 0f, 1f);
        return t < 1f / 3 ? (0f, 3 * t, 1f)
            : t < 2f / 3 ? (3 * t - 1, 1f, 2 - 3 * t)
            : (1f, 3 - 3 * t, 0f);
    }
}
