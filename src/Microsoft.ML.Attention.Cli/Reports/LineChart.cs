using System.Globalization;
using SkiaSharp;

namespace Microsoft.ML.Attention.Cli.Reports;

/// <summary>
/// A small line and dot chart drawn with SkiaSharp (which ML.NET's ImageAnalytics brings): axes with rounded ticks,
/// a title, axis labels and a legend, as PNG bytes. Text is drawn in the system's sans-serif face; without fonts only
/// the plot itself appears.
/// </summary>
internal static class LineChart
{
    private const int Width = 1000, Height = 420, Left = 70, Right = 330, Top = 40, Bottom = 55;

    /// <summary>The chart as a PNG.</summary>
    public static byte[] Render(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series)
    {
        var points = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        (double x0, double x1) = Range(points.Select(p => p.X));
        (double y0, double y1) = Range(points.Select(p => p.Y));
        using var bitmap = new SKBitmap(Width, Height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true, TextSize = 13, Typeface = typeface };
        using var grid = new SKPaint { Color = new SKColor(225, 225, 225), StrokeWidth = 1 };
        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 1, IsAntialias = true };
        float px(double x) => Left + (float)((x - x0) / (x1 - x0) * (Width - Left - Right));
        float py(double y) => Height - Bottom - (float)((y - y0) / (y1 - y0) * (Height - Top - Bottom));

        foreach (double t in Ticks(x0, x1))
        {
            canvas.DrawLine(px(t), Top, px(t), Height - Bottom, grid);
            string label = Format(t);
            canvas.DrawText(label, px(t) - text.MeasureText(label) / 2, Height - Bottom + 18, text);
        }

        foreach (double t in Ticks(y0, y1))
        {
            canvas.DrawLine(Left, py(t), Width - Right, py(t), grid);
            string label = Format(t);
            canvas.DrawText(label, Left - 6 - text.MeasureText(label), py(t) + 4, text);
        }

        using (var frame = new SKPaint { Color = SKColors.Black, Style = SKPaintStyle.Stroke, StrokeWidth = 1 })
        {
            canvas.DrawRect(Left, Top, Width - Left - Right, Height - Top - Bottom, frame);
        }
        using (var titlePaint = new SKPaint { Color = SKColors.Black, IsAntialias = true, TextSize = 16, Typeface = typeface, FakeBoldText = true })
        {
            canvas.DrawText(title, Left + (Width - Left - Right - titlePaint.MeasureText(title)) / 2, 24, titlePaint);
        }

        canvas.DrawText(xLabel, Left + (Width - Left - Right - text.MeasureText(xLabel)) / 2, Height - 12, text);
        canvas.Save();
        canvas.RotateDegrees(-90);
        canvas.DrawText(yLabel, -(Top + (Height - Top - Bottom + text.MeasureText(yLabel)) / 2), 16, text);
        canvas.Restore();

        float legendY = Top + 16;
        foreach (ChartSeries s in series)
        {
            using var paint = new SKPaint { Color = s.Color, StrokeWidth = 2, IsAntialias = true, Style = SKPaintStyle.StrokeAndFill };
            var visible = s.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
            for (int i = 0; i < visible.Count; i++)
            {
                if (s.Lines && i > 0)
                {
                    canvas.DrawLine(px(visible[i - 1].X), py(visible[i - 1].Y), px(visible[i].X), py(visible[i].Y), paint);
                }

                canvas.DrawCircle(px(visible[i].X), py(visible[i].Y), s.Lines ? 2.5f : 4f, paint);
            }

            canvas.DrawCircle(Width - Right + 16, legendY - 4, 4, paint);
            canvas.DrawText(s.Name, Width - Right + 26, legendY, text);
            legendY += 18;
        }

        using SKImage image = SKImage.FromBitmap(bitmap);
        using SKData png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static (double, double) Range(IEnumerable<double> values)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (double v in values)
        {
            lo = Math.Min(lo, v);
            hi = Math.Max(hi, v);
        }

        if (double.IsInfinity(lo))
        {
            return (0, 1);
        }

        double pad = hi > lo ? (hi - lo) * 0.05 : Math.Max(Math.Abs(lo) * 0.05, 0.5);
        return (lo - pad, hi + pad);
    }

    /// <summary>About six ticks at 1, 2 or 5 times a power of ten.</summary>
    private static IEnumerable<double> Ticks(double lo, double hi)
    {
        double raw = (hi - lo) / 6, magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = magnitude * (raw / magnitude < 1.5 ? 1 : raw / magnitude < 3.5 ? 2 : 5);
        for (double t = Math.Ceiling(lo / step) * step; t <= hi; t += step)
        {
            yield return Math.Abs(t) < step * 1e-9 ? 0 : t;
        }
    }

    private static string Format(double v) => v.ToString(Math.Abs(v) >= 100 ? "F0" : "G3", CultureInfo.InvariantCulture);
}
