using SkiaSharp;

namespace Microsoft.ML.Attention.Tests.Vision;

/// <summary>
/// Generated colour images: one filled shape (circle → class 0, square → 1, triangle → 2) of 7–11 pixels at a random
/// place, over a noisy background with thin line segments and small outlined distractors of every kind. The label is
/// decided by that one shape, wherever it is.
/// </summary>
internal static class ShapesOnClutterTask
{
    internal const int Size = 32;

    internal static readonly string[] ClassNames = ["circle", "square", "triangle"];

    /// <summary>The images as SkiaSharp bitmaps (the caller disposes them), their labels and each shape's centre.</summary>
    internal static List<(SKBitmap Image, int Label, float X, float Y)> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<(SKBitmap, int, float, float)>(count);
        for (int n = 0; n < count; n++)
        {
            var bitmap = new SKBitmap(Size, Size, SKColorType.Rgba8888, SKAlphaType.Premul);
            using var canvas = new SKCanvas(bitmap);
            canvas.Clear(new SKColor(40, 40, 40));
            using var paint = new SKPaint { IsAntialias = true };
            for (int i = 0; i < 120; i++)
            {
                paint.Color = Grey(random, 20, 90);
                canvas.DrawPoint(random.Next(Size), random.Next(Size), paint);
            }

            paint.StrokeWidth = 1;
            paint.Style = SKPaintStyle.Stroke;
            for (int i = 0; i < 5; i++)
            {
                paint.Color = Colour(random);
                canvas.DrawLine(random.Next(Size), random.Next(Size), random.Next(Size), random.Next(Size), paint);
            }

            for (int i = 0; i < 3; i++)
            {
                paint.Color = Colour(random);
                Draw(canvas, paint, random.Next(3), random.Next(4, 28), random.Next(4, 28), 2.5f);
            }

            int label = random.Next(3);
            float r = 3.5f + 2f * random.NextSingle();
            float x = r + 1 + random.NextSingle() * (Size - 2 * r - 2), y = r + 1 + random.NextSingle() * (Size - 2 * r - 2);
            paint.Style = SKPaintStyle.Fill;
            paint.Color = Colour(random);
            Draw(canvas, paint, label, x, y, r);
            rows.Add((bitmap, label, x, y));
        }

        return rows;
    }

    /// <summary>Planar R, G, B values 0–255 of a bitmap, as <c>ExtractPixels</c> gives them.</summary>
    internal static float[] Planar(SKBitmap bitmap)
    {
        int plane = bitmap.Width * bitmap.Height;
        float[] pixels = new float[3 * plane];
        for (int y = 0; y < bitmap.Height; y++)
        {
            for (int x = 0; x < bitmap.Width; x++)
            {
                SKColor c = bitmap.GetPixel(x, y);
                int i = y * bitmap.Width + x;
                pixels[i] = c.Red;
                pixels[plane + i] = c.Green;
                pixels[2 * plane + i] = c.Blue;
            }
        }

        return pixels;
    }

    private static void Draw(SKCanvas canvas, SKPaint paint, int kind, float x, float y, float r)
    {
        switch (kind)
        {
            case 0:
                canvas.DrawCircle(x, y, r, paint);
                break;
            case 1:
                canvas.DrawRect(x - r * 0.85f, y - r * 0.85f, r * 1.7f, r * 1.7f, paint);
                break;
            default:
                using (var path = new SKPath())
                {
                    path.MoveTo(x, y - r);
                    path.LineTo(x + r, y + r * 0.8f);
                    path.LineTo(x - r, y + r * 0.8f);
                    path.Close();
                    canvas.DrawPath(path, paint);
                }

                break;
        }
    }

    private static SKColor Colour(Random random) => new((byte)random.Next(110, 256), (byte)random.Next(110, 256), (byte)random.Next(110, 256));

    private static SKColor Grey(Random random, int low, int high)
    {
        byte v = (byte)random.Next(low, high);
        return new SKColor(v, v, v);
    }
}
