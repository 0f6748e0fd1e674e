using System.CommandLine;
using Microsoft.ML.Attention.AutoML;
using Microsoft.ML.Attention.Cli.Data;
using Microsoft.ML.Attention.Cli.Output;
using Microsoft.ML.Attention.Cli.Scoring;
using Microsoft.ML.Attention.Cli.Training;
using Spectre.Console;

namespace Microsoft.ML.Attention.Cli.Commands;

/// <summary>
/// <c>image-classification</c>: sweeps the pack's image attention classifier (no block, SE, ECA or CBAM) and ML.NET's
/// linear SDCA on the raw pixels, on a folder of images (one subfolder per label) or a CSV/TSV of labels and image
/// paths; the model reads an image path (<c>LoadImages</c> → <c>ResizeImages</c> → <c>ExtractPixels</c> inside it).
/// </summary>
internal static class ImageClassificationCommand
{
    /// <summary>The <c>--trainers</c> names and the candidates they stand for.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Trainers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["image-attention"] = AttentionAutoCatalog.ImageAttentionName,
        ["pixels-sdca"] = AttentionAutoCatalog.PixelsSdcaName,
    };

    /// <summary>The command.</summary>
    public static System.CommandLine.Command Create(IAnsiConsole console)
    {
        var dataset = new Option<string>("--dataset", "-d") { Description = "Training images: a folder with one subfolder per label, or a CSV/TSV file of labels and image paths (relative to the file).", Required = true };
        var labelColumn = new Option<string?>("--label-col") { Description = "The label column (a file's header name; for a folder, the column name to use, default Label)." };
        var imageColumn = new Option<string?>("--image-col") { Description = "The image-path column (default: the other column of a two-column file; for a folder, ImagePath)." };
        var validation = new Option<string?>("--validation-dataset") { Description = "Validation images in the same form; default: a seeded share of the training images (--validation-fraction)." };
        var fraction = new Option<double>("--validation-fraction") { Description = "Share of the training images held out when no validation data is given.", DefaultValueFactory = _ => 0.2 };
        var trainTime = new Option<uint>("--train-time", "-t") { Description = "Seconds the sweep may take.", DefaultValueFactory = _ => 60u };
        var maxModels = new Option<int?>("--max-models") { Description = "Stop after this many trials even if time is left." };
        var trainers = new Option<string>("--trainers") { Description = "Comma-separated candidates to sweep: image-attention, pixels-sdca.", DefaultValueFactory = _ => "image-attention,pixels-sdca" };
        var width = new Option<int>("--width") { Description = "Images are resized to this width.", DefaultValueFactory = _ => 32 };
        var height = new Option<int>("--height") { Description = "Images are resized to this height.", DefaultValueFactory = _ => 32 };
        var output = new Option<string>("--output", "-o") { Description = "The output folder (replaced when the run succeeds; left alone when it fails).", DefaultValueFactory = _ => "ImageClassification" };
        var name = new Option<string?>("--name") { Description = "Name of the generated consuming project (default: the output folder's name)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the split, the tuners and every trial.", DefaultValueFactory = _ => 0 };
        var packageSource = new Option<string?>("--package-source") { Description = "A NuGet source (folder or URL) the generated project restores Microsoft.ML.Attention from, besides the defaults." };
        var command = new System.CommandLine.Command("image-classification", "Train an image classifier: sweep image attention networks and an ML.NET baseline, keep the best.")
        {
            dataset, labelColumn, imageColumn, validation, fraction, trainTime, maxModels, trainers, width, height, output, name, seed, packageSource,
        };
        command.SetAction((result, token) => CommandRunner.RunAsync(console, async () =>
        {
            int w = result.GetValue(width), h = result.GetValue(height);
            if (w is < 8 or > 1024 || h is < 8 or > 1024)
            {
                throw new CliException($"--width/--height: {w}×{h} is outside 8–1024 pixels.");
            }

            var common = new TrainingArguments(result.GetValue(validation), result.GetValue(fraction), result.GetValue(trainTime), result.GetValue(maxModels));
            common.Validate();
            string[] candidates = TrainingArguments.Candidates(result.GetValue(trainers)!, Trainers);
            LabeledDataset data = LabeledDataset.Load(result.GetValue(dataset)!, result.GetValue(labelColumn), result.GetValue(imageColumn), "--dataset", images: true);
            data.RequireClasses();
            LabeledDataset? validationData = common.Validation is null ? null : LabeledDataset.Load(common.Validation, data.LabelColumn, data.InputColumn, "--validation-dataset", images: true);
            var settings = new ClassificationSettings(
                ModelInfo.ImageTask, data, validationData, common.Validation, common.ValidationFraction, common.TrainTime, common.MaxModels,
                result.GetValue(output)!, result.GetValue(name), result.GetValue(seed), result.GetValue(packageSource));
            return await ClassificationRun.RunAsync(console, settings, ml => Pipeline(ml, data.LabelColumn, data.InputColumn, w, h, candidates), token).ConfigureAwait(false);
        }));
        return command;
    }

    /// <summary>Label to key, image path to planar pixels, then the candidates, then the predicted key back to its label.</summary>
    private static SweepablePipeline Pipeline(MLContext ml, string label, string imagePath, int width, int height, string[] candidates)
    {
        SweepableEstimator[] all =
        [
            ml.AttentionAuto().ImageAttention(label, ClassifierModel.PixelsColumnName),
            ml.AttentionAuto().PixelsSdca(label, ClassifierModel.PixelsColumnName),
        ];
        return new SweepablePipeline(
            [.. all.Where(c => candidates.Contains(c.Name))],
            prefix: m => m.Transforms.Conversion.MapValueToKey(label)
                .Append(m.Transforms.LoadImages("Image", imageFolder: null, imagePath))
                .Append(m.Transforms.ResizeImages("Image", width, height))
                .Append(m.Transforms.ExtractPixels(ClassifierModel.PixelsColumnName, "Image"))
                .Append(m.Transforms.DropColumns("Image")),
            suffix: m => m.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
    }
}
