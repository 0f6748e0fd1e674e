using System.Globalization;
using Microsoft.ML.Attention.AutoML;
using Microsoft.ML.Attention.Cli.CodeGen;
using Microsoft.ML.Attention.Cli.Data;
using Microsoft.ML.Attention.Cli.Output;
using Microsoft.ML.Attention.Cli.Reports;
using Microsoft.ML.Attention.Cli.Scoring;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;
using SkiaSharp;
using Spectre.Console;

namespace Microsoft.ML.Attention.Cli.Training;

/// <summary>
/// The body of the training commands: split, sweep with a live leaderboard, save the best model and its
/// <c>model.json</c>, write the report from the saved file, generate the consuming project, and move the finished
/// folder into place (nothing is left when any step fails or the user cancels).
/// </summary>
internal static class ClassificationRun
{
    /// <summary>The metric every sweep maximises.</summary>
    public const string MetricName = "MacroAccuracy";

    /// <summary>Rows of the validation data drawn in the report.</summary>
    private const int ExplainedRows = 3;

    /// <summary>Runs it; returns the exit code.</summary>
    public static async Task<int> RunAsync(IAnsiConsole console, ClassificationSettings s, Func<MLContext, SweepablePipeline> pipeline, CancellationToken token)
    {
        LabeledDataset data = s.Data;
        using var staging = new StagingDirectory(s.Output);
        bool images = s.Task == ModelInfo.ImageTask;
        console.MarkupLine($"[bold]{s.Task}[/]: {data.Rows.Count} rows, {data.Labels.Count} classes, label '{Markup.Escape(data.LabelColumn)}', {(images ? "image" : "text")} '{Markup.Escape(data.InputColumn)}', budget {s.TrainTime} s.");

        var mlContext = new MLContext(s.Seed);
        IDataView all = data.ToDataView(mlContext);
        (IDataView train, IDataView valid) = s.Validation is null ? Split(mlContext, all, s.ValidationFraction, s.Seed) : (all, s.Validation.ToDataView(mlContext));
        AttentionExperiment experiment = mlContext.AttentionAuto().CreateExperiment()
            .SetPipeline(pipeline(mlContext))
            .SetDataset(train, valid)
            .SetMulticlassClassificationMetric(SweepMetric.MacroAccuracy, data.LabelColumn)
            .SetTrainingTimeInSeconds(s.TrainTime)
            .SetSeed(s.Seed);
        if (s.MaxModels is int max)
        {
            experiment.SetMaxModelToExplore(max);
        }

        var leaderboard = new Leaderboard(MetricName, TimeSpan.FromSeconds(s.TrainTime));
        TrialResult best = await Sweep(console, experiment, leaderboard, token).ConfigureAwait(false);
        token.ThrowIfCancellationRequested();

        string modelPath = Path.Combine(staging.Path, "model.zip");
        mlContext.Model.SaveWithAttention(best.Model!, train.Schema, modelPath);
        new ModelInfo
        {
            Task = s.Task, LabelColumn = data.LabelColumn, InputColumn = data.InputColumn, Classes = data.Labels,
            Candidate = best.Candidate, Metric = MetricName, MetricValue = best.Metric,
        }.Save(Path.Combine(staging.Path, ModelInfo.FileName));

        // The report is made from the saved file, so it shows what a user of the file gets.
        ClassifierModel model = ClassifierModel.Load(mlContext, modelPath, null);
        WriteReport(mlContext, staging.Path, s, valid, model, best, leaderboard);
        string project = ConsumingProject.Write(staging.Path, s.Name ?? Path.GetFileName(staging.Target), data.LabelColumn, data.InputColumn, data.Rows[0].Input, s.PackageSource, images);
        token.ThrowIfCancellationRequested();
        staging.Commit();

        string relativeProject = Path.Combine(staging.Target, Path.GetRelativePath(staging.Path, project));
        console.MarkupLine($"[green]Best[/]: {Markup.Escape(best.Candidate)}, validation {MetricName} {best.Metric.ToString("F4", CultureInfo.InvariantCulture)} ({leaderboard.Trials.Count} trials).");
        console.MarkupLine($"Model: {Markup.Escape(Path.Combine(staging.Target, "model.zip"))}");
        console.MarkupLine($"Report: {Markup.Escape(Path.Combine(staging.Target, "report.html"))}");
        console.MarkupLine($"Consume it: [blue]dotnet run --project {Markup.Escape(relativeProject)} -- {(images ? "path/to/image.png" : "\"some text\"")}[/]");
        return 0;
    }

    /// <summary>Runs the sweep with a live leaderboard (plain lines on a console that is not interactive).</summary>
    private static async Task<TrialResult> Sweep(IAnsiConsole console, AttentionExperiment experiment, Leaderboard leaderboard, CancellationToken token)
    {
        bool live = console.Profile.Capabilities.Interactive;
        experiment.TrialCompleted += (_, t) =>
        {
            leaderboard.Add(t);
            if (!live)
            {
                console.WriteLine(Leaderboard.Line(t, MetricName));
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

    private static void WriteReport(MLContext mlContext, string folder, ClassificationSettings s, IDataView valid, ClassifierModel model, TrialResult best, Leaderboard leaderboard)
    {
        LabeledDataset data = s.Data;
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

        File.WriteAllBytes(Path.Combine(folder, "training-curve.png"), LineChart.Render($"Validation {MetricName} of every trial", "seconds since the sweep began", MetricName, series));
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

        var report = new EvaluationReport(s.Task == ModelInfo.ImageTask ? "Image classification report" : "Text classification report")
            .Facts(
            [
                ("Data", $"{data.Source}: {data.Rows.Count} rows, {classes.Length} classes ({string.Join(", ", classes)})"),
                ("Columns", $"label '{data.LabelColumn}', input '{data.InputColumn}'"),
                ("Validation", s.ValidationSource ?? $"{s.ValidationFraction:P0} of the training rows (seed {s.Seed})"),
                ("Sweep", $"{trials.Count} trials in {s.TrainTime} s over {string.Join(", ", trials.Select(t => t.Trial.Candidate).Distinct())}"),
                ("Best", $"{best.Candidate} (trial {best.TrialId}, {best.Duration.TotalSeconds:F1} s, {best.PeakMemoryInMegaBytes:F0} MB): {Leaderboard.Parameters(best)}"),
            ])
            .Section("Validation metrics of the best model").Metrics(metrics, classes)
            .Section("Training curve").Image("training-curve.png", $"Validation {MetricName} of each trial against the time it ended, and the best so far.");
        if (history.Count > 0)
        {
            report.Image("epochs.png", "The best model's loss per epoch (training rows, and the rows its trainer held out for early stopping).");
        }

        report.Section("Attention");
        if (model.HasAttention)
        {
            var rows = mlContext.Data.CreateEnumerable<InputRow>(valid, reuseRowObject: false, schemaDefinition: InputRow.Schema(data.LabelColumn, data.InputColumn)).Take(ExplainedRows).ToList();
            for (int i = 0; i < rows.Count; i++)
            {
                string png = $"attention-{i + 1}.png";
                if (model.IsImage)
                {
                    (Prediction prediction, byte[] heatmap) = model.ExplainImage(rows[i].Input);
                    File.WriteAllBytes(Path.Combine(folder, png), heatmap);
                    report.Paragraph($"Validation image {i + 1} ({Path.GetFileName(rows[i].Input)}, true label {rows[i].Label}): predicted {prediction.PredictedLabel} ({prediction.Probability:P1}).")
                        .Image(png, "The last stage's attention map over the image");
                }
                else
                {
                    Prediction prediction = model.Score([rows[i]], attention: true)[0];
                    File.WriteAllBytes(Path.Combine(folder, png), AttentionPicture.Png(prediction));
                    report.Paragraph($"Validation row {i + 1} (true label {rows[i].Label}):").Fragment(AttentionPicture.Html(prediction)).Image(png, $"Row {i + 1} as a picture");
                }
            }
        }
        else
        {
            report.Paragraph($"The best model ({best.Candidate}) has no attention weights to show; sweep only the attention candidates (--trainers) to get them.");
        }

        report.Section("Every trial").Trials(trials.Select(t => t.Trial), MetricName);
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
