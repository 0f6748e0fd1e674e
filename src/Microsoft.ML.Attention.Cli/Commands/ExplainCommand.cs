using System.CommandLine;
using System.Globalization;
using Microsoft.ML.Attention.Cli.Data;
using Microsoft.ML.Attention.Cli.Output;
using Microsoft.ML.Attention.Cli.Reports;
using Microsoft.ML.Attention.Cli.Scoring;
using Spectre.Console;

namespace Microsoft.ML.Attention.Cli.Commands;

/// <summary><c>explain</c>: one text's prediction and attention as a picture (HTML and PNG), the heaviest words printed.</summary>
internal static class ExplainCommand
{
    /// <summary>The command.</summary>
    public static System.CommandLine.Command Create(IAnsiConsole console)
    {
        var model = new Option<string>("--model", "-m") { Description = "The model zip (an attention model).", Required = true };
        var text = new Option<string?>("--text") { Description = "The text to explain (text models)." };
        var image = new Option<string?>("--image") { Description = "The image to explain (image models)." };
        var dataset = new Option<string?>("--dataset", "-d") { Description = "Or: a CSV/TSV file with the model's text column …" };
        var row = new Option<int>("--row") { Description = "… and the 1-based row to explain.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--output", "-o") { Description = "The HTML picture to write (a PNG of the same name beside it).", DefaultValueFactory = _ => "explain.html" };
        var labelColumn = new Option<string?>("--label-col") { Description = "The label column, when the model has no model.json beside it (default Label)." };
        var command = new System.CommandLine.Command("explain", "Show where a trained attention model looked: the words of one text, or the attention map over one image.") { model, text, image, dataset, row, output, labelColumn };
        command.SetAction((result, token) => CommandRunner.RunAsync(console, () => Task.FromResult(result.GetValue(image) is { } path
            ? RunImage(console, result.GetValue(model)!, path, result.GetValue(output)!, result.GetValue(labelColumn))
            : Run(console, result.GetValue(model)!, result.GetValue(text), result.GetValue(dataset), result.GetValue(row), result.GetValue(output)!, result.GetValue(labelColumn)))));
        return command;
    }

    /// <summary>Runs the command.</summary>
    internal static int Run(IAnsiConsole console, string modelPath, string? text, string? datasetPath, int row, string outputPath, string? labelColumn)
    {
        if ((text is null) == (datasetPath is null))
        {
            throw new CliException("explain: give either --text or --dataset with --row.");
        }

        var mlContext = new MLContext(0);
        ClassifierModel model = ClassifierModel.Load(mlContext, modelPath, labelColumn);
        if (model.IsImage)
        {
            throw new CliException($"--model: '{modelPath}' is an image model; explain an image with --image.");
        }

        if (!model.HasAttention)
        {
            throw new CliException($"--model: '{modelPath}' has no attention weights ({model.Info?.Candidate ?? "not an attention model"}); train with --trainers attention-encode,han to explain.");
        }

        text ??= ReadRow(datasetPath!, model.InputColumn, row);
        Prediction prediction = model.Score([new InputRow { Input = text }], attention: true)[0];
        string png = Path.ChangeExtension(outputPath, ".png");
        using (var staging = new StagingFile(png))
        {
            File.WriteAllBytes(staging.Path, AttentionPicture.Png(prediction));
            staging.Commit();
        }

        using (var staging = new StagingFile(outputPath))
        {
            File.WriteAllText(staging.Path, $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>explain</title></head><body>\n{AttentionPicture.Html(prediction)}<img src=\"{System.Net.WebUtility.HtmlEncode(Path.GetFileName(png))}\" alt=\"attention\">\n</body></html>\n");
            staging.Commit();
        }

        console.MarkupLine($"Predicted [bold]{Markup.Escape(prediction.PredictedLabel)}[/] ({prediction.Probability.ToString("P1", CultureInfo.InvariantCulture)}).");
        var table = new Table().Border(TableBorder.Simple);
        if (prediction.Sentences is { } sentences && prediction.SentenceWeights is { } sentenceWeights)
        {
            // A hierarchical model: word weights are within their sentence, so each sentence shows its own heaviest words.
            table.AddColumns("Sentence weight", "Heaviest words of the sentence");
            int start = 0;
            for (int i = 0; i < sentences.Length; i++)
            {
                int count = sentences[i].Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
                string top = string.Join(", ", Enumerable.Range(start, Math.Min(count, prediction.Words!.Length - start))
                    .OrderByDescending(w => prediction.WordWeights![w]).Take(3)
                    .Select(w => $"{prediction.Words[w]} ({prediction.WordWeights![w].ToString("F2", CultureInfo.InvariantCulture)})"));
                table.AddRow(sentenceWeights[i].ToString("F3", CultureInfo.InvariantCulture), Markup.Escape(top));
                start += count;
            }
        }
        else
        {
            table.AddColumns("Word", "Weight");
            foreach ((string word, float weight) in prediction.Words!.Zip(prediction.WordWeights!).OrderByDescending(p => p.Second).Take(10))
            {
                table.AddRow(Markup.Escape(word), weight.ToString("F4", CultureInfo.InvariantCulture));
            }
        }

        console.Write(table);
        console.MarkupLine($"Picture: {Markup.Escape(outputPath)} and {Markup.Escape(png)}");
        return 0;
    }

    /// <summary>Explains one image: its attention map drawn over it as a PNG (<paramref name="outputPath"/> with a .png extension).</summary>
    internal static int RunImage(IAnsiConsole console, string modelPath, string imagePath, string outputPath, string? labelColumn)
    {
        if (!File.Exists(imagePath))
        {
            throw new CliException($"--image: '{imagePath}' does not exist.");
        }

        var mlContext = new MLContext(0);
        ClassifierModel model = ClassifierModel.Load(mlContext, modelPath, labelColumn);
        if (!model.IsImage || !model.HasAttention)
        {
            throw new CliException($"--model: '{modelPath}' is not an image attention model ({model.Info?.Candidate ?? model.Info?.Task ?? "no model.json"}); train one with image-classification --trainers image-attention.");
        }

        (Prediction prediction, byte[] png) = model.ExplainImage(Path.GetFullPath(imagePath));
        string target = Path.ChangeExtension(outputPath, ".png");
        using (var staging = new StagingFile(target))
        {
            File.WriteAllBytes(staging.Path, png);
            staging.Commit();
        }

        console.MarkupLine($"Predicted [bold]{Markup.Escape(prediction.PredictedLabel)}[/] ({prediction.Probability.ToString("P1", CultureInfo.InvariantCulture)}).");
        console.MarkupLine($"Picture: {Markup.Escape(target)}");
        return 0;
    }

    private static string ReadRow(string path, string column, int row)
    {
        if (row < 1)
        {
            throw new CliException($"--row: {row} is not a row number (the first row is 1).");
        }

        using var reader = new DelimitedReader(path);
        int index = reader.Require(column, "--dataset");
        var fields = new List<string>();
        for (int i = 1; reader.TryRead(fields); i++)
        {
            if (i == row)
            {
                return fields[index];
            }
        }

        throw new CliException($"--row: '{path}' has fewer than {row} rows.");
    }
}
