using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.ML.Attention.AutoML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Cli.Reports;

/// <summary>
/// The evaluation report a training command leaves (<c>report.html</c>): the data and the sweep, the best model's
/// validation metrics and confusion matrix, the training-curve pictures, every trial, and attention pictures of a few
/// validation rows.
/// </summary>
internal sealed class EvaluationReport
{
    private readonly StringBuilder _html = new();

    /// <summary>Starts the report.</summary>
    public EvaluationReport(string title)
    {
        _html.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").Append(Encode(title)).Append("</title>\n")
            .Append("<style>body{font-family:sans-serif;max-width:1000px;margin:24px auto;color:#222}table{border-collapse:collapse;margin:8px 0}")
            .Append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}img{max-width:100%}</style>\n")
            .Append("</head><body>\n<h1>").Append(Encode(title)).Append("</h1>\n");
    }

    /// <summary>A heading.</summary>
    public EvaluationReport Section(string heading)
    {
        _html.Append("<h2>").Append(Encode(heading)).Append("</h2>\n");
        return this;
    }

    /// <summary>A paragraph of text.</summary>
    public EvaluationReport Paragraph(string text)
    {
        _html.Append("<p>").Append(Encode(text)).Append("</p>\n");
        return this;
    }

    /// <summary>Name–value pairs as a two-column table.</summary>
    public EvaluationReport Facts(IEnumerable<(string Name, string Value)> facts)
    {
        _html.Append("<table>\n");
        foreach ((string name, string value) in facts)
        {
            _html.Append("<tr><th class=\"l\">").Append(Encode(name)).Append("</th><td class=\"l\">").Append(Encode(value)).Append("</td></tr>\n");
        }

        _html.Append("</table>\n");
        return this;
    }

    /// <summary>The multiclass metrics and the confusion matrix (rows: true class; columns: predicted), classes named.</summary>
    public EvaluationReport Metrics(MulticlassClassificationMetrics metrics, IReadOnlyList<string> classes)
    {
        Facts(
        [
            ("Macro accuracy", F(metrics.MacroAccuracy)),
            ("Micro accuracy", F(metrics.MicroAccuracy)),
            ("Log-loss", F(metrics.LogLoss)),
            ("Log-loss reduction", F(metrics.LogLossReduction)),
        ]);
        ConfusionMatrix matrix = metrics.ConfusionMatrix;
        _html.Append("<h3>Confusion matrix</h3>\n<table><tr><th class=\"l\">true \\ predicted</th>");
        for (int c = 0; c < matrix.NumberOfClasses; c++)
        {
            _html.Append("<th>").Append(Encode(Name(classes, c))).Append("</th>");
        }

        _html.Append("<th>recall</th></tr>\n");
        for (int r = 0; r < matrix.NumberOfClasses; r++)
        {
            _html.Append("<tr><th class=\"l\">").Append(Encode(Name(classes, r))).Append("</th>");
            for (int c = 0; c < matrix.NumberOfClasses; c++)
            {
                string shade = r == c ? "background:#e4f2e4" : matrix.Counts[r][c] > 0 ? "background:#fbe9e7" : "";
                _html.Append("<td style=\"").Append(shade).Append("\">").Append(matrix.Counts[r][c].ToString("F0", CultureInfo.InvariantCulture)).Append("</td>");
            }

            _html.Append("<td>").Append(F(matrix.PerClassRecall[r])).Append("</td></tr>\n");
        }

        _html.Append("<tr><th class=\"l\">precision</th>");
        for (int c = 0; c < matrix.NumberOfClasses; c++)
        {
            _html.Append("<td>").Append(F(matrix.PerClassPrecision[c])).Append("</td>");
        }

        _html.Append("<td></td></tr>\n</table>\n");
        return this;
    }

    /// <summary>Every trial, in the order they ran.</summary>
    public EvaluationReport Trials(IEnumerable<TrialResult> trials, string metricName)
    {
        _html.Append("<table><tr><th>#</th><th class=\"l\">candidate</th><th>").Append(Encode(metricName))
            .Append("</th><th>seconds</th><th>peak MB</th><th class=\"l\">parameters</th></tr>\n");
        foreach (TrialResult t in trials)
        {
            _html.Append(CultureInfo.InvariantCulture, $"<tr><td>{t.TrialId}</td><td class=\"l\">{Encode(t.Candidate)}</td><td>{(t.Succeeded ? F(t.Metric) : Encode(t.Error is OperationCanceledException ? "stopped" : "failed"))}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{t.Duration.TotalSeconds:F1}</td><td>{t.PeakMemoryInMegaBytes:F0}</td><td class=\"l\">{Encode(Training.Leaderboard.Parameters(t))}</td></tr>\n");
        }

        _html.Append("</table>\n");
        return this;
    }

    /// <summary>A picture saved beside the report.</summary>
    public EvaluationReport Image(string fileName, string caption)
    {
        _html.Append("<figure><img src=\"").Append(Encode(fileName)).Append("\" alt=\"").Append(Encode(caption)).Append("\"><figcaption>")
            .Append(Encode(caption)).Append("</figcaption></figure>\n");
        return this;
    }

    /// <summary>A ready HTML fragment (the attention pictures).</summary>
    public EvaluationReport Fragment(string html)
    {
        _html.Append(html);
        return this;
    }

    /// <summary>The finished document.</summary>
    public override string ToString() => _html + "</body></html>\n";

    private static string Name(IReadOnlyList<string> classes, int index) => index < classes.Count ? classes[index] : $"class {index}";

    private static string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
