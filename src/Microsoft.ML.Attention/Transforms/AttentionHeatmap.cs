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

    private static (float R, float G, float B) Palette(float t)
    {
        t = Math.Clamp(t, 0f, 1f);
        return t < 1f / 3 ? (0f, 3 * t, 1f)
            : t < 2f / 3 ? (3 * t - 1, 1f, 2 - 3 * t)
            : (1f, 3 - 3 * t, 0f);
    }
}
