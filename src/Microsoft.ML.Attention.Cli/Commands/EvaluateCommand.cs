using System.CommandLine;
using System.Globalization;
using Microsoft.ML.Attention.Cli.Data;
using Microsoft.ML.Attention.Cli.Scoring;
using Microsoft.ML.Data;
using Spectre.Console;

namespace Microsoft.ML.Attention.Cli.Commands;

/// <summary><c>evaluate</c>: a trained text model's metrics and confusion matrix on labelled data.</summary>
internal static class EvaluateCommand
{
    /// <summary>The command.</summary>
    public static System.CommandLine.Command Create(IAnsiConsole console)
    {
        var model = new Option<string>("--model", "-m") { Description = "The model zip.", Required = true };
        var dataset = new Option<string>("--dataset", "-d") { Description = "Labelled data: a CSV/TSV file with the model's columns, or a folder with one subfolder per label (texts or images).", Required = true };
        var labelColumn = new Option<string?>("--label-col") { Description = "The label column, when the model has no model.json beside it (default Label)." };
        var command = new System.CommandLine.Command("evaluate", "Evaluate a trained model on labelled data: accuracy, log-loss, confusion matrix.") { model, dataset, labelColumn };
        command.SetAction((result, token) => CommandRunner.RunAsync(console, () => Task.FromResult(Run(console, result.GetValue(model)!, result.GetValue(dataset)!, result.GetValue(labelColumn)))));
        return command;
    }

    /// <summary>Runs the command.</summary>
    internal static int Run(IAnsiConsole console, string modelPath, string datasetPath, string? labelColumn)
    {
        var mlContext = new MLContext(0);
        ClassifierModel model = ClassifierModel.Load(mlContext, modelPath, labelColumn);
        LabeledDataset data = LabeledDataset.Load(datasetPath, model.LabelColumn, model.InputColumn, "--dataset", images: model.IsImage);
        IDataView scored = model.ForEvaluation().Transform(data.ToDataView(mlContext));
        MulticlassClassificationMetrics metrics = mlContext.MulticlassClassification.Evaluate(scored, model.LabelColumn);
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(Path.GetFileName(datasetPath))}[/]: {data.Rows.Count} rows").AddColumns("Metric", "Value");
        table.AddRow("MacroAccuracy", F(metrics.MacroAccuracy)).AddRow("MicroAccuracy", F(metrics.MicroAccuracy)).AddRow("LogLoss", F(metrics.LogLoss)).AddRow("LogLossReduction", F(metrics.LogLossReduction));
        console.Write(table);
        VBuffer<ReadOnlyMemory<char>> keys = default;
        scored.Schema[model.LabelColumn].GetKeyValues(ref keys);
        string[] classes = [.. keys.DenseValues().Select(k => k.ToString())];
        ConfusionMatrix matrix = metrics.ConfusionMatrix;
        var confusion = new Table().Border(TableBorder.Rounded).Title("Confusion matrix (rows: true class)").AddColumn("");
        for (int c = 0; c < matrix.NumberOfClasses; c++)
        {
            confusion.AddColumn(new TableColumn(Markup.Escape(c < classes.Length ? classes[c] : c.ToString(CultureInfo.InvariantCulture))).RightAligned());
        }

        confusion.AddColumn(new TableColumn("Recall").RightAligned());
        for (int r = 0; r < matrix.NumberOfClasses; r++)
        {
            confusion.AddRow([
                Markup.Escape(r < classes.Length ? classes[r] : r.ToString(CultureInfo.InvariantCulture)),
                .. matrix.Counts[r].Select(v => v.ToString("N0", CultureInfo.InvariantCulture)),
                F(matrix.PerClassRecall[r])]);
        }

        confusion.AddRow(["Precision", .. matrix.PerClassPrecision.Select(F), ""]);
        console.Write(confusion);
        return 0;
    }

    private static string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
