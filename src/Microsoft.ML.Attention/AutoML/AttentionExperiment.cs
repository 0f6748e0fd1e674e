using System.Diagnostics;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.AutoML;

/// <summary>
/// A sweep over a <see cref="SweepablePipeline"/> under a time budget, with the names of ML.NET AutoML's
/// <c>AutoMLExperiment</c> (<c>SetPipeline</c>, <c>SetDataset</c>, <c>Set…Metric</c>, <c>SetTrainingTimeInSeconds</c>,
/// <c>SetMaxModelToExplore</c>, the random / grid / cost-frugal tuners, <c>RunAsync</c>) in the pack's own namespace.
/// The prefix is fitted once and its output cached in memory; each trial fits the prefix-transformed training data with one candidate and parameters its tuner proposes, and is
/// scored on the validation data. Every candidate's initial (cheap) point is tried first; after that the candidate with
/// the best metric so far gets three trials in four, another one at random the fourth. The budget is kept: a candidate
/// whose longest trial took longer than the time left is not started again, and the pack's trainers stop within a batch
/// when the budget runs out during their trial (reported as cancelled). ML.NET's own trainers cannot be stopped from
/// outside (<c>MLContext.CancelExecution</c> is internal), so a trial of one of them runs to its end.
/// </summary>
public sealed class AttentionExperiment
{
    private const int MaxRepeatedProposals = 32;

    private readonly MLContext _mlContext;
    private readonly List<TrialResult> _trials = [];
    private SweepablePipeline? _pipeline;
    private IDataView? _train;
    private IDataView? _validation;
    private (SweepMetric Metric, string Label, string Predicted)? _metric;
    private TimeSpan _budget = TimeSpan.FromSeconds(DefaultTrainingTimeInSeconds);
    private int _maxModels = int.MaxValue;
    private Func<SweepSpace, Random, ISweepTuner> _tuner = (space, random) => new CostFrugalTuner(space, random);
    private int? _seed;

    /// <summary>The budget when <see cref="SetTrainingTimeInSeconds"/> is not called.</summary>
    public const uint DefaultTrainingTimeInSeconds = 60;

    internal AttentionExperiment(MLContext mlContext) => _mlContext = mlContext;

    /// <summary>Raised on the experiment's thread after every trial, failed or cancelled ones included.</summary>
    public event EventHandler<TrialResult>? TrialCompleted;

    /// <summary>Every trial so far, in the order they ran.</summary>
    public IReadOnlyList<TrialResult> Trials => _trials;

    /// <summary>What to sweep.</summary>
    public AttentionExperiment SetPipeline(SweepablePipeline pipeline)
    {
        _pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
        return this;
    }

    /// <summary>Training data and the validation data every trial is scored on.</summary>
    public AttentionExperiment SetDataset(IDataView train, IDataView validation)
    {
        _train = train ?? throw new ArgumentNullException(nameof(train));
        _validation = validation ?? throw new ArgumentNullException(nameof(validation));
        return this;
    }

    /// <summary>One data set, split once (seeded) into training and validation rows.</summary>
    /// <param name="data">All rows.</param>
    /// <param name="validationFraction">Share held out for validation, in (0, 1).</param>
    public AttentionExperiment SetDataset(IDataView data, double validationFraction = 0.2)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(validationFraction > 0 && validationFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(validationFraction), $"validationFraction ({validationFraction}) must be in (0, 1).");
        }

        DataOperationsCatalog.TrainTestData split = _mlContext.Data.TrainTestSplit(data, validationFraction, seed: _seed);
        return SetDataset(split.TrainSet, split.TestSet);
    }

    /// <summary>Maximise (or, for log-loss, minimise) a multiclass metric of <paramref name="labelColumn"/> (a key) against <paramref name="predictedColumn"/>.</summary>
    public AttentionExperiment SetMulticlassClassificationMetric(SweepMetric metric = SweepMetric.MacroAccuracy, string labelColumn = "Label", string predictedColumn = "PredictedLabel") =>
        SetMetric(metric, [SweepMetric.MacroAccuracy, SweepMetric.MicroAccuracy, SweepMetric.LogLoss], labelColumn, predictedColumn);

    /// <summary>Maximise a binary metric of <paramref name="labelColumn"/> (Boolean).</summary>
    public AttentionExperiment SetBinaryClassificationMetric(SweepMetric metric = SweepMetric.Accuracy, string labelColumn = "Label", string predictedColumn = "PredictedLabel") =>
        SetMetric(metric, [SweepMetric.Accuracy, SweepMetric.AreaUnderRocCurve, SweepMetric.F1Score], labelColumn, predictedColumn);

    /// <summary>Maximise R² (or minimise an error) of the Score column against <paramref name="labelColumn"/>.</summary>
    public AttentionExperiment SetRegressionMetric(SweepMetric metric = SweepMetric.RSquared, string labelColumn = "Label") =>
        SetMetric(metric, [SweepMetric.RSquared, SweepMetric.MeanAbsoluteError, SweepMetric.RootMeanSquaredError], labelColumn, "Score");

    /// <summary>The time budget for all trials together (default 60 s).</summary>
    public AttentionExperiment SetTrainingTimeInSeconds(uint seconds)
    {
        ArgumentOutOfRangeException.ThrowIfZero(seconds);
        _budget = TimeSpan.FromSeconds(seconds);
        return this;
    }

    /// <summary>Stop after this many trials even if time is left.</summary>
    public AttentionExperiment SetMaxModelToExplore(int maxModels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxModels);
        _maxModels = maxModels;
        return this;
    }

    /// <summary>
    /// Seeds the tuners, every trial's <c>MLContext</c> and (when called before <c>SetDataset(data, fraction)</c>) the split;
    /// without it, the seed is drawn from the experiment's <c>MLContext</c>, as ML.NET's own components draw theirs.
    /// </summary>
    public AttentionExperiment SetSeed(int seed)
    {
        _seed = seed;
        return this;
    }

    /// <summary>Random search (<see cref="RandomSearchTuner"/>).</summary>
    public AttentionExperiment SetRandomSearchTuner() => SetTuner((space, random) => new RandomSearchTuner(space, random));

    /// <summary>Grid search with <paramref name="steps"/> points per range (<see cref="GridSearchTuner"/>).</summary>
    public AttentionExperiment SetGridSearchTuner(int steps = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2);
        return SetTuner((space, random) => new GridSearchTuner(space, steps, random));
    }

    /// <summary>Cost-frugal local search from the cheap initial values (<see cref="CostFrugalTuner"/>, the default).</summary>
    public AttentionExperiment SetCostFrugalTuner() => SetTuner((space, random) => new CostFrugalTuner(space, random));

    /// <summary>Any tuner, made once per candidate.</summary>
    public AttentionExperiment SetTuner(Func<SweepSpace, Random, ISweepTuner> factory)
    {
        _tuner = factory ?? throw new ArgumentNullException(nameof(factory));
        return this;
    }

    /// <summary>
    /// Runs trials until the budget, the trial limit, every tuner's points or <paramref name="cancellationToken"/> run out,
    /// and returns the best successful trial.
    /// </summary>
    /// <exception cref="InvalidOperationException">Pipeline, data or metric not set, or no trial succeeded.</exception>
    public async Task<TrialResult> RunAsync(CancellationToken cancellationToken = default)
    {
        SweepablePipeline pipeline = _pipeline ?? throw new InvalidOperationException("AttentionExperiment: call SetPipeline before RunAsync.");
        IDataView train = _train ?? throw new InvalidOperationException("AttentionExperiment: call SetDataset before RunAsync.");
        IDataView validation = _validation!;
        var metric = _metric ?? throw new InvalidOperationException("AttentionExperiment: call SetMulticlassClassificationMetric, SetBinaryClassificationMetric or SetRegressionMetric before RunAsync.");
        int seed = _seed ?? ((Runtime.IHostEnvironment)_mlContext).Register(nameof(AttentionExperiment)).Rand.Next();
        var clock = Stopwatch.StartNew();

        ITransformer? prefix = pipeline.Prefix?.Invoke(_mlContext).Fit(train);
        // The prefix's output is cached in memory once, as AutoML caches its data: every trial (and every pass of a
        // trainer such as SDCA) reads it again, and a prefix may be costly (LoadImages decodes every image).
        IDataView prefixedTrain = prefix is null ? train : _mlContext.Data.Cache(prefix.Transform(train));
        IDataView prefixedValidation = prefix is null ? validation : _mlContext.Data.Cache(prefix.Transform(validation));
        var candidates = pipeline.Candidates;
        ISweepTuner[] tuners = [.. candidates.Select((c, i) => _tuner(c.Space, new Random(seed + 7919 * (i + 1))))];
        var exhausted = new bool[candidates.Count];
        var bestPerCandidate = Enumerable.Repeat(double.PositiveInfinity, candidates.Count).ToArray();
        var tried = new Dictionary<string, double>(StringComparer.Ordinal);
        var choose = new Random(seed);
        TrialResult? best = null;
        while (_trials.Count < _maxModels && !cancellationToken.IsCancellationRequested)
        {
            TimeSpan remaining = _budget - clock.Elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            int c = Choose(choose, [.. exhausted.Select((done, i) => done || LongestDuration(candidates[i].Name) > remaining)], bestPerCandidate);
            if (c < 0)
            {
                break;
            }

            (double[]? point, IReadOnlyDictionary<string, object>? values) = NextNew(candidates[c], tuners[c], tried);
            if (point is null)
            {
                exhausted[c] = true;
                continue;
            }

            TrialResult result = await RunTrial(_trials.Count, pipeline, candidates[c], values!, prefix, prefixedTrain, prefixedValidation, metric, seed, remaining, cancellationToken).ConfigureAwait(false);
            double loss = result.Succeeded ? Loss(metric.Metric, result.Metric) : double.PositiveInfinity;
            tried[Key(candidates[c], values!)] = loss;
            tuners[c].Report(point, loss);
            bestPerCandidate[c] = Math.Min(bestPerCandidate[c], loss);
            if (result.Succeeded && (best is null || loss < Loss(metric.Metric, best.Metric)))
            {
                best?.ReleaseModel();
                best = result;
            }
            else
            {
                result.ReleaseModel();
            }

            _trials.Add(result);
            TrialCompleted?.Invoke(this, result);
        }

        return best
            ?? throw new InvalidOperationException($"AttentionExperiment: no trial finished within {_budget.TotalSeconds:F0} s ({_trials.Count} started" +
                (_trials.FirstOrDefault(t => !t.Succeeded) is { } failed ? $"; the first failed with {failed.Error!.GetType().Name}: {failed.Error.Message}" : "") + ").");
    }

    /// <summary>How long the candidate's longest trial took (zero before its first).</summary>
    private TimeSpan LongestDuration(string candidate) => _trials.Where(t => t.Candidate == candidate).Select(t => t.Duration).DefaultIfEmpty(TimeSpan.Zero).Max();

    /// <summary>Lower is better: the metric negated unless it is a loss or an error.</summary>
    internal static double Loss(SweepMetric metric, double value) =>
        metric is SweepMetric.LogLoss or SweepMetric.MeanAbsoluteError or SweepMetric.RootMeanSquaredError ? value : -value;

    private AttentionExperiment SetMetric(SweepMetric metric, SweepMetric[] allowed, string label, string predicted)
    {
        if (!allowed.Contains(metric))
        {
            throw new ArgumentOutOfRangeException(nameof(metric), $"{metric} is not one of this task's metrics ({string.Join(", ", allowed)}).");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        ArgumentException.ThrowIfNullOrWhiteSpace(predicted);
        _metric = (metric, label, predicted);
        return this;
    }

    /// <summary>An untried candidate first (in order); then the best one three times in four, another at random otherwise.</summary>
    private int Choose(Random random, bool[] exhausted, double[] best)
    {
        int[] open = [.. Enumerable.Range(0, exhausted.Length).Where(i => !exhausted[i])];
        if (open.Length == 0)
        {
            return -1;
        }

        int untried = Array.FindIndex(open, i => !_trials.Any(t => t.Candidate == _pipeline!.Candidates[i].Name));
        if (untried >= 0)
        {
            return open[untried];
        }

        int leader = open.OrderBy(i => best[i]).First();
        return open.Length == 1 || random.NextDouble() < 0.75 ? leader : open.Where(i => i != leader).ElementAt(random.Next(open.Length - 1));
    }

    /// <summary>The tuner's next point whose values were not tried yet (a repeat is reported with its known loss).</summary>
    private static (double[]?, IReadOnlyDictionary<string, object>?) NextNew(SweepableEstimator candidate, ISweepTuner tuner, Dictionary<string, double> tried)
    {
        for (int attempt = 0; attempt < MaxRepeatedProposals; attempt++)
        {
            double[]? point = tuner.Propose();
            if (point is null)
            {
                return (null, null);
            }

            IReadOnlyDictionary<string, object> values = candidate.Space.ValuesAt(point);
            if (!tried.TryGetValue(Key(candidate, values), out double loss))
            {
                return (point, values);
            }

            tuner.Report(point, loss);
        }

        return (null, null);
    }

    private static string Key(SweepableEstimator candidate, IReadOnlyDictionary<string, object> values) =>
        candidate.Name + "|" + string.Join("|", values.Select(v => $"{v.Key}={SweepParameter.Format(v.Value)}"));

    private static async Task<TrialResult> RunTrial(
        int id, SweepablePipeline pipeline, SweepableEstimator candidate, IReadOnlyDictionary<string, object> values, ITransformer? prefix,
        IDataView train, IDataView validation, (SweepMetric Metric, string Label, string Predicted) metric, int seed, TimeSpan remaining, CancellationToken cancellationToken)
    {
        var trialContext = new MLContext(seed + id);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(remaining);
        long peak = Environment.WorkingSet;
        using var sampler = new Timer(_ => InterlockedMax(ref peak, Environment.WorkingSet), null, 0, 50);
        var clock = Stopwatch.StartNew();
        try
        {
            (ITransformer model, double value) = await Task.Run(() =>
            {
                using TrainingCancellation.Scope scope = TrainingCancellation.Use(deadline.Token);
                ITransformer fitted = candidate.Build(trialContext, values).Fit(train);
                IDataView scored = fitted.Transform(validation);
                double measured = Evaluate(trialContext, scored, metric);
                ITransformer? suffix = pipeline.Suffix?.Invoke(trialContext).Fit(scored);
                var parts = new List<ITransformer>();
                if (prefix is not null)
                {
                    parts.Add(prefix);
                }

                parts.Add(fitted);
                if (suffix is not null)
                {
                    parts.Add(suffix);
                }

                return ((ITransformer)new TransformerChain<ITransformer>([.. parts]), measured);
            }, CancellationToken.None).ConfigureAwait(false);
            InterlockedMax(ref peak, Environment.WorkingSet);
            return new TrialResult(id, candidate.Name, values, value, clock.Elapsed, peak / (1024.0 * 1024.0), model, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Exception error = deadline.IsCancellationRequested && e is not OperationCanceledException
                ? new OperationCanceledException("The time budget ran out during the trial.", e)
                : e;
            return new TrialResult(id, candidate.Name, values, double.NaN, clock.Elapsed, Math.Max(peak, Environment.WorkingSet) / (1024.0 * 1024.0), null, error);
        }
    }

    private static double Evaluate(MLContext ml, IDataView scored, (SweepMetric Metric, string Label, string Predicted) m)
    {
        switch (m.Metric)
        {
            case SweepMetric.MacroAccuracy or SweepMetric.MicroAccuracy or SweepMetric.LogLoss:
                MulticlassClassificationMetrics multi = ml.MulticlassClassification.Evaluate(scored, m.Label, predictedLabelColumnName: m.Predicted);
                return m.Metric switch { SweepMetric.MacroAccuracy => multi.MacroAccuracy, SweepMetric.MicroAccuracy => multi.MicroAccuracy, _ => multi.LogLoss };
            case SweepMetric.Accuracy or SweepMetric.AreaUnderRocCurve or SweepMetric.F1Score:
                BinaryClassificationMetrics binary = scored.Schema.GetColumnOrNull("Probability") is not null
                    ? ml.BinaryClassification.Evaluate(scored, m.Label, predictedLabelColumnName: m.Predicted)
                    : ml.BinaryClassification.EvaluateNonCalibrated(scored, m.Label, predictedLabelColumnName: m.Predicted);
                return m.Metric switch { SweepMetric.Accuracy => binary.Accuracy, SweepMetric.AreaUnderRocCurve => binary.AreaUnderRocCurve, _ => binary.F1Score };
            default:
                RegressionMetrics regression = ml.Regression.Evaluate(scored, m.Label);
                return m.Metric switch { SweepMetric.RSquared => regression.RSquared, SweepMetric.MeanAbsoluteError => regression.MeanAbsoluteError, _ => regression.RootMeanSquaredError };
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
