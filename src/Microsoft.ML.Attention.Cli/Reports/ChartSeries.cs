using SkiaSharp;

namespace Microsoft.ML.Attention.Cli.Reports;

/// <summary>One series of a <see cref="LineChart"/>: points, a colour, lines or dots.</summary>
internal sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points, SKColor Color, bool Lines = true);
