using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.ML.Attention.Cli.Scoring;
using SkiaSharp;

namespace Microsoft.ML.Attention.Cli.Reports;

/// <summary>
/// One text's attention as a picture: every word shaded by its weight (scaled to the text's largest weight), and for a
/// hierarchical model every sentence marked by its weight — as an HTML fragment and as a PNG.
/// </summary>
internal static class AttentionPicture
{
    private const int PngWidth = 800, Margin = 12, LineHeight = 24, FontSize = 15;

    /// <summary>The HTML fragment (self-contained, inline styles, weights in tooltips).</summary>
    public static string Html(Prediction prediction)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"attention\" style=\"font-family:sans-serif;line-height:1.9;margin:8px 0\"><p>Predicted <b>{WebUtility.HtmlEncode(prediction.PredictedLabel)}</b> ({prediction.Probability:P1})</p>\n");
        if (prediction.Words is null || prediction.WordWeights is null)
        {
            return html.Append("<p>(this model has no attention)</p></div>\n").ToString();
        }

        foreach ((string? sentence, float sentenceWeight, int start, int count) in Lines(prediction))
        {
            html.Append(sentence is null ? "<div>" : $"<div title=\"sentence weight {sentenceWeight.ToString("F3", CultureInfo.InvariantCulture)}\" style=\"border-left:6px solid rgba(220,40,40,{sentenceWeight.ToString("F3", CultureInfo.InvariantCulture)});padding-left:6px\">");
            float top = Max(prediction.WordWeights, start, count);
            for (int i = start; i < start + count; i++)
            {
                float w = prediction.WordWeights[i];
                string alpha = (top > 0 ? w / top : 0).ToString("F3", CultureInfo.InvariantCulture);
                html.Append(CultureInfo.InvariantCulture, $"<span title=\"{w:F4}\" style=\"background:rgba(40,90,220,{alpha});padding:1px 2px\">{WebUtility.HtmlEncode(prediction.Words[i])}</span> ");
            }

            html.Append("</div>\n");
        }

        return html.Append("</div>\n").ToString();
    }

    /// <summary>
    /// The PNG: words wrapped in lines, each on a blue background as strong as its weight (relative to its sentence's
    /// heaviest word); a red bar per sentence as strong as its weight (relative to the heaviest sentence).
    /// </summary>
    public static byte[] Png(Prediction prediction)
    {
        string[] words = prediction.Words ?? [];
        float[] weights = prediction.WordWeights ?? [];
        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true, TextSize = FontSize, Typeface = typeface };
        var layout = new List<(string Word, float Weight, float X, int Line)>();
        var bars = new List<(int FirstLine, int LastLine, float Weight)>();
        int line = 1;
        foreach ((string? sentence, float sentenceWeight, int start, int count) in Lines(prediction))
        {
            float x = Margin + 10, top = Max(weights, start, count);
            int first = line;
            for (int i = start; i < start + count; i++)
            {
                float width = paint.MeasureText(words[i]);
                if (x + width > PngWidth - Margin && x > Margin + 10)
                {
                    line++;
                    x = Margin + 10;
                }

                layout.Add((words[i], top > 0 ? weights[i] / top : 0, x, line));
                x += width + paint.MeasureText(" ");
            }

            bars.Add((first, line, sentence is null ? 0 : sentenceWeight));
            line++;
        }

        int height = Margin * 2 + LineHeight * line;
        using var bitmap = new SKBitmap(PngWidth, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        string title = $"Predicted {prediction.PredictedLabel} ({prediction.Probability.ToString("P1", CultureInfo.InvariantCulture)})";
        canvas.DrawText(title, Margin, Margin + FontSize, paint);
        float heaviest = bars.Count == 0 ? 0 : bars.Max(b => b.Weight);
        foreach ((int firstLine, int lastLine, float weight) in bars.Where(b => b.Weight > 0))
        {
            // Sentence bars are scaled to the heaviest sentence, as words are to their sentence's heaviest word.
            using var bar = new SKPaint { Color = new SKColor(220, 40, 40, (byte)Math.Clamp(weight / heaviest * 255, 0, 255)) };
            canvas.DrawRect(Margin, Margin + firstLine * LineHeight + 2, 5, (lastLine - firstLine + 1) * LineHeight - 4, bar);
        }

        foreach ((string word, float weight, float x, int row) in layout)
        {
            float baseline = Margin + row * LineHeight + FontSize + 2;
            using var background = new SKPaint { Color = new SKColor(40, 90, 220, (byte)Math.Clamp(weight * 255, 0, 255)) };
            canvas.DrawRect(x - 2, baseline - FontSize, paint.MeasureText(word) + 4, FontSize + 6, background);
            canvas.DrawText(word, x, baseline, paint);
        }

        using SKImage image = SKImage.FromBitmap(bitmap);
        using SKData png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>The words in groups: one per sentence for a hierarchical model (its words are separated by spaces), else one group.</summary>
    private static IEnumerable<(string? Sentence, float Weight, int Start, int Count)> Lines(Prediction prediction)
    {
        int total = prediction.Words?.Length ?? 0;
        if (prediction.Sentences is null || prediction.SentenceWeights is null)
        {
            yield return (null, 0, 0, total);
            yield break;
        }

        int start = 0;
        for (int s = 0; s < prediction.Sentences.Length && start < total; s++)
        {
            int count = Math.Min(total - start, prediction.Sentences[s].Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
            yield return (prediction.Sentences[s], prediction.SentenceWeights[s], start, count);
            start += count;
        }
    }

    private static float Max(float[] values, int start, int count) => count == 0 ? 0 : values.AsSpan(start, count).ToArray().Max();
}
