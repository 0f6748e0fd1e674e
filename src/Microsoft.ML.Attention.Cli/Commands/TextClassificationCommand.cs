using System.CommandLine;
using Microsoft.ML.Attention.AutoML;
using Microsoft.ML.Attention.Cli.Data;
using Microsoft.ML.Attention.Cli.Output;
using Microsoft.ML.Attention.Cli.Training;
using Spectre.Console;

namespace Microsoft.ML.Attention.Cli.Commands;

/// <summary>
/// <c>text-classification</c>: sweeps the pack's text classifiers and ML.NET's FeaturizeText + SDCA on a labelled file or
/// folder within a time budget, and leaves the best model, its description, a report and a consuming project.
/// </summary>
internal static class TextClassificationCommand
{
    /// <summary>The <c>--trainers</c> names and the candidates they stand for.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Trainers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["attention-encode"] = AttentionAutoCatalog.AttentionEncodeName,
        ["han"] = AttentionAutoCatalog.HierarchicalAttentionName,
        ["featurize-text"] = AttentionAutoCatalog.FeaturizeTextSdcaName,
    };

    /// <summary>The command.</summary>
    public static System.CommandLine.Command Create(IAnsiConsole console)
    {
        var dataset = new Option<string>("--dataset", "-d") { Description = "Training data: a CSV/TSV file with a header, or a folder with one subfolder per label holding one text file per row.", Required = true };
        var labelColumn = new Option<string?>("--label-col") { Description = "The label column (a file's header name; for a folder, the column name to use, default Label)." };
        var textColumn = new Option<string?>("--text-col") { Description = "The text column (default: the other column of a two-column file; for a folder, Text)." };
        var validation = new Option<string?>("--validation-dataset") { Description = "Validation data in the same form; default: a seeded share of the training data (--validation-fraction)." };
        var fraction = new Option<double>("--validation-fraction") { Description = "Share of the training rows held out when no validation data is given.", DefaultValueFactory = _ => 0.2 };
        var trainTime = new Option<uint>("--train-time", "-t") { Description = "Seconds the sweep may take.", DefaultValueFactory = _ => 60u };
        var maxModels = new Option<int?>("--max-models") { Description = "Stop after this many trials even if time is left." };
        var trainers = new Option<string>("--trainers") { Description = "Comma-separated candidates to sweep: attention-encode, han, featurize-text.", DefaultValueFactory = _ => "attention-encode,han,featurize-text" };
        var maxWords = new Option<int>("--max-words") { Description = "Words the attention encoder reads per text (longer texts are cut).", DefaultValueFactory = _ => 64 };
        var output = new Option<string>("--output", "-o") { Description = "The output folder (replaced when the run succeeds; left alone when it fails).", DefaultValueFactory = _ => "TextClassification" };
        var name = new Option<string?>("--name") { Description = "Name of the generated consuming project (default: the output folder's name)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the split, the tuners and every trial.", DefaultValueFactory = _ => 0 };
        var packageSource = new Option<string?>("--package-source") { Description = "A NuGet source (folder or URL) the generated project restores Microsoft.ML.Attention from, besides the defaults." };
        var command = new System.CommandLine.Command("text-classification", "Train a text classifier: sweep attention models and an ML.NET baseline, keep the best.")
        {
            dataset, labelColumn, textColumn, validation, fraction, trainTime, maxModels, trainers, maxWords, output, name, seed, packageSource,
        };
        command.SetAction((result, token) => CommandRunner.RunAsync(console, () => RunAsync(console, new Arguments(
            result.GetValue(dataset)!, result.GetValue(labelColumn), result.GetValue(textColumn), result.GetValue(validation), result.GetValue(fraction),
            result.GetValue(trainTime), result.GetValue(maxModels), result.GetValue(trainers)!, result.GetValue(maxWords), result.GetValue(output)!,
            result.GetValue(name), result.GetValue(seed), result.GetValue(packageSource)), token)));
        return command;
    }

    /// <summary>The command's arguments.</summary>
    internal sealed record Arguments(
        string Dataset, string? LabelColumn, string? TextColumn, string? Validation, double ValidationFraction, uint TrainTime, int? MaxModels,
        string Trainers, int MaxWords, string Output, string? Name, int Seed, string? PackageSource);

    /// <summary>Runs the command.</summary>
    internal static async Task<int> RunAsync(IAnsiConsole console, Arguments a, CancellationToken token)
    {
        var common = new TrainingArguments(a.Validation, a.ValidationFraction, a.TrainTime, a.MaxModels);
        common.Validate();
        if (a.MaxWords <= 0)
        {
            throw new CliException($"--max-words: {a.MaxWords} is not a positive number of words.");
        }

        string[] candidates = TrainingArguments.Candidates(a.Trainers, Trainers);
        LabeledDataset data = LabeledDataset.Load(a.Dataset, a.LabelColumn, a.TextColumn, "--dataset");
        data.RequireClasses();
        LabeledDataset? validationData = a.Validation is null ? null : LabeledDataset.Load(a.Validation, data.LabelColumn, data.InputColumn, "--validation-dataset");
        var settings = new ClassificationSettings(
            ModelInfo.TextTask, data, validationData, a.Validation, a.ValidationFraction, a.TrainTime, a.MaxModels, a.Output, a.Name, a.Seed, a.PackageSource);
        return await ClassificationRun.RunAsync(
            console, settings, ml => ml.AttentionAuto().TextClassification(data.LabelColumn, data.InputColumn, a.MaxWords, attentionColumns: true, candidates), token).ConfigureAwait(false);
    }
}
