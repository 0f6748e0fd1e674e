using System.CommandLine;
using System.Globalization;
using Microsoft.ML.Attention.AutoML;
using Microsoft.ML.Attention.Cli.CodeGen;
using Microsoft.ML.Attention.Cli.Data;
using Microsoft.ML.Attention.Cli.Output;
using Microsoft.ML.Attention.Cli.Reports;
using Microsoft.ML.Attention.Cli.Scoring;
using Microsoft.ML.Attention.Cli.Training;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;
using SkiaSharp;
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

    /// <summary>Rows of the validation data drawn in the report.</summary>
    private const int ExplainedRows = 3;

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
        if (a.TrainTime == 0)
        {
            throw new CliException("--train-time: give at least one second.");
        }

        if (!(a.ValidationFraction > 0 && a.ValidationFraction < 1))
        {
            throw new CliException($"--validation-fraction: {a.ValidationFraction.ToString(CultureInfo.InvariantCulture)} is not between 0 and 1.");
        }

        if (a.MaxWords <= 0)
        {
            throw new CliException($"--max-words: {a.MaxWords} is not a positive number of words.");
        }

        if (a.MaxModels is <= 0)
        {
            throw new CliException($"--max-models: {a.MaxModels} is not a positive number of trials.");
        }

        string[] candidates = [.. a.Trainers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t =>
            Trainers.TryGetValue(t, out string? c) ? c : throw new CliException($"--trainers: '{t}' is not one of {string.Join(", ", Trainers.Keys)}."))];
        if (candidates.Length == 0)
        {
            throw new CliException($"--trainers: name at least one of {string.Join(", ", Trainers.Keys)}.");
        }

        TextDataset data = TextDataset.Load(a.Dataset, a.LabelColumn, a.TextColumn, "--dataset");
        data.RequireClasses();
        TextDataset? validationData = a.Validation is null ? null : TextDataset.Load(a.Validation, data.LabelColumn, data.TextColumn, "--validation-dataset");
        using var staging = new StagingDirectory(a.Output);
        console.MarkupLine($"[bold]text-classification[/]: {data.Rows.Count} rows, {data.Labels.Count} classes, label '{Markup.Escape(data.LabelColumn)}', text '{Markup.Escape(data.TextColumn)}', budget {a.TrainTime} s.");

        var mlContext = new MLContext(a.Seed);
        IDataView all = data.ToDataView(mlContext);
        (IDataView train, IDataView valid) = validationData is null
            ? Split(mlContext, all, a.ValidationFraction, a.Seed)
            : (all, validationData.ToDataView(mlContext));
        const string metricName = "MacroAccuracy";
        AttentionExperiment experiment = mlContext.AttentionAuto().CreateExperiment()
            .SetPipeline(mlContext.AttentionAuto().TextClassification(data.LabelColumn, data.TextColumn, a.MaxWords, attentionColumns: true, candidates))
            .SetDataset(train, valid)
            .SetMulticlassClassificationMetric(SweepMetric.MacroAccuracy, data.LabelColumn)
            .SetTrainingTimeInSeconds(a.TrainTime)
            .SetSeed(a.Seed);
        if (a.MaxModels is int max)
        {
            experiment.SetMaxModelToExplore(max);
        }

        var leaderboard = new Leaderboard(metricName, TimeSpan.FromSeconds(a.TrainTime));
        TrialResult best = await Sweep(console, experiment, leaderboard, token).ConfigureAwait(false);
        token.ThrowIfCancellationRequested();

        string modelPath = Path.Combine(staging.Path, "model.zip");
        mlContext.Model.SaveWithAttention(best.Model!, train.Schema, modelPath);
        var info = new ModelInfo
        {
            Task = "text-classification", LabelColumn = data.LabelColumn, InputColumn = data.TextColumn, Classes = data.Labels,
            Candidate = best.Candidate, Metric = metricName, MetricValue = best.Metric,
        };
        info.Save(Path.Combine(staging.Path, ModelInfo.FileName));

        // The report is made from the saved file, so it shows what a user of the file gets.
        TextModel model = TextModel.Load(mlContext, modelPath, null);
        WriteReport(mlContext, staging.Path, a, data, valid, model, best, leaderboard, metricName);
        string sample = data.Rows[0].Text;
        string projectName = a.Name ?? Path.GetFileName(staging.Target);
        string project = ConsumingProject.WriteTextClassification(staging.Path, projectName, data.LabelColumn, data.TextColumn, sample, a.PackageSource);
        token.ThrowIfCancellationRequested();
        staging.Commit();

        string relativeProject = Path.Combine(staging.Target, Path.GetRelativePath(staging.Path, project));
        console.MarkupLine($"[green]Best[/]: {Markup.Escape(best.Candidate)}, validation {metricName} {best.Metric.ToString("F4", CultureInfo.InvariantCulture)} ({leaderboard.Trials.Count} trials).");
        console.MarkupLine($"Model: {Markup.Escape(Path.Combine(staging.Target, "model.zip"))}");
        console.MarkupLine($"Report: {Markup.Escape(Path.Combine(staging.Target, "report.html"))}");
        console.MarkupLine($"Consume it: [blue]dotnet run --project {Markup.Escape(relativeProject)} -- \"some text\"[/]");
        return 0;
    }

    /// <summary>Runs the sweep with a live leaderboard (plain lines on a console that is not interactive).</summary>
    internal static async Task<TrialResult> Sweep(IAnsiConsole console, AttentionExperiment experiment, Leaderboard leaderboard, CancellationToken token)
    {
        bool live = console.Profile.Capabilities.Interactive;
        experiment.TrialCompleted += (_, t) =>
        {
            leaderboard.Add(t);
            if (!live)
            {
                console.WriteLine(Leaderboard.Line(t, "MacroAccuracy"));
            }
        };
        try
        {
            if (!live)
            {
                return await experiment.RunAsync(token).ConfigureAwait(false);
            }

            TrialResult? best = null;
            await console.Live(leaderboard.Render()).AutoClear(false).StartAsync(async context =>
            {
                Task<TrialResult> run = experiment.RunAsync(token);
                while (!run.IsCompleted)
                {
                    context.UpdateTarget(leaderboard.Render());
                    await Task.WhenAny(run, Task.Delay(500, CancellationToken.None)).ConfigureAwait(false);
                }

                context.UpdateTarget(leaderboard.Render());
                best = await run.ConfigureAwait(false);
            }).ConfigureAwait(false);
            return best!;
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("AttentionExperiment", StringComparison.Ordinal))
        {
            throw new CliException($"The sweep found no model: {e.Message} Give it more time (--train-time).", e);
        }
    }

    /// <summary>A seeded split, as <c>TrainTestSplit</c> makes it.</summary>
    private static (IDataView, IDataView) Split(MLContext mlContext, IDataView all, double fraction, int seed)
    {
        DataOperationsCatalog.TrainTestData split = mlContext.Data.TrainTestSplit(all, fraction, seed: seed);
        return (split.TrainSet, split.TestSet);
    }

    private static void WriteReport(
        MLContext mlContext, string folder, Arguments a, TextDataset data, IDataView valid, TextModel model, TrialResult best, Leaderboard leaderboard, string metricName)
    {
        IDataView scored = model.ForEvaluation().Transform(valid);
        MulticlassClassificationMetrics metrics = mlContext.MulticlassClassification.Evaluate(scored, data.LabelColumn);
        VBuffer<ReadOnlyMemory<char>> keys = default;
        scored.Schema[data.LabelColumn].GetKeyValues(ref keys);
        string[] classes = [.. keys.DenseValues().Select(k => k.ToString())];

        var trials = leaderboard.Trials;
        double bestSoFar = double.NegativeInfinity;
        var bestLine = new List<(double, double)>();
        foreach ((TrialResult t, TimeSpan at) in trials.Where(t => t.Trial.Succeeded))
        {
            bestSoFar = Math.Max(bestSoFar, t.Metric);
            bestLine.Add((at.TotalSeconds, bestSoFar));
        }

        SKColor[] palette = [new(31, 119, 180), new(255, 127, 14), new(44, 160, 44), new(214, 39, 40)];
        var series = new List<ChartSeries> { new("best so far", bestLine, SKColors.Black) };
        string[] names = [.. trials.Select(t => t.Trial.Candidate).Distinct()];
        for (int i = 0; i < names.Length; i++)
        {
            series.Add(new ChartSeries(names[i], [.. trials.Where(t => t.Trial.Succeeded && t.Trial.Candidate == names[i]).Select(t => (t.EndedAt.TotalSeconds, t.Trial.Metric))], palette[i % palette.Length], Lines: false));
        }

        File.WriteAllBytes(Path.Combine(folder, "training-curve.png"), LineChart.Render($"Validation {metricName} of every trial", "seconds since the sweep began", metricName, series));
        IReadOnlyList<EpochReport> history = Histories(best.Model!).FirstOrDefault() ?? [];
        if (history.Count > 0)
        {
            var epochs = new List<ChartSeries> { new("training loss", [.. history.Select(e => ((double)e.Epoch, e.TrainLoss))], palette[0]) };
            if (history.Any(e => e.ValidationLoss is not null))
            {
                epochs.Add(new ChartSeries("early-stopping loss", [.. history.Where(e => e.ValidationLoss is not null).Select(e => ((double)e.Epoch, e.ValidationLoss!.Value))], palette[1]));
            }

            File.WriteAllBytes(Path.Combine(folder, "epochs.png"), LineChart.Render($"{best.Candidate}: loss per epoch", "epoch", "cross-entropy", epochs));
        }

        var report = new EvaluationReport("Text classification report")
            .Facts(
            [
                ("Data", $"{data.Source}: {data.Rows.Count} rows, {classes.Length} classes ({string.Join(", ", classes)})"),
                ("Columns", $"label '{data.LabelColumn}', text '{data.TextColumn}'"),
                ("Validation", a.Validation ?? $"{a.ValidationFraction:P0} of the training rows (seed {a.Seed})"),
                ("Sweep", $"{trials.Count} trials in {a.TrainTime} s over {string.Join(", ", trials.Select(t => t.Trial.Candidate).Distinct())}"),
                ("Best", $"{best.Candidate} (trial {best.TrialId}, {best.Duration.TotalSeconds:F1} s, {best.PeakMemoryInMegaBytes:F0} MB): {Leaderboard.Parameters(best)}"),
            ])
            .Section("Validation metrics of the best model").Metrics(metrics, classes)
            .Section("Training curve").Image("training-curve.png", $"Validation {metricName} of each trial against the time it ended, and the best so far.");
        if (history.Count > 0)
        {
            report.Image("epochs.png", "The best model's loss per epoch (training rows, and the rows its trainer held out for early stopping).");
        }

        report.Section("Attention");
        if (model.HasAttention)
        {
            var rows = mlContext.Data.CreateEnumerable<TextRow>(valid, reuseRowObject: false, schemaDefinition: TextDataset.Schema(data.LabelColumn, data.TextColumn)).Take(ExplainedRows).ToList();
            List<TextPrediction> predictions = model.Score(rows, attention: true);
            for (int i = 0; i < rows.Count; i++)
            {
                string png = $"attention-{i + 1}.png";
                File.WriteAllBytes(Path.Combine(folder, png), AttentionPicture.Png(predictions[i]));
                report.Paragraph($"Validation row {i + 1} (true label {rows[i].Label}):").Fragment(AttentionPicture.Html(rows[i].Text, predictions[i])).Image(png, $"Row {i + 1} as a picture");
            }
        }
        else
        {
            report.Paragraph($"The best model ({best.Candidate}) has no attention weights to show; sweep only attention models (--trainers attention-encode,han) to get them.");
        }

        report.Section("Every trial").Trials(trials.Select(t => t.Trial), metricName);
        File.WriteAllText(Path.Combine(folder, "report.html"), report.ToString());
    }

    /// <summary>The training histories of the pack's transformers in a (nested) chain.</summary>
    private static IEnumerable<IReadOnlyList<EpochReport>> Histories(ITransformer model) => model switch
    {
        AttentionEncodeTransformer t => [t.TrainingHistory],
        HierarchicalAttentionTransformer t => [t.TrainingHistory],
        IEnumerable<ITransformer> chain => chain.SelectMany(Histories),
        _ => [],
    };
}
