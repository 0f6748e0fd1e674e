namespace Microsoft.ML.Attention.AutoML;

/// <summary>One trial of an experiment: what was tried, how well it did on the validation data, and what it cost.</summary>
public sealed class TrialResult
{
    internal TrialResult(int id, string candidate, IReadOnlyDictionary<string, object> parameters, double metric, TimeSpan duration, double peakMemoryInMegaBytes, ITransformer? model, Exception? error)
    {
        TrialId = id;
        Candidate = candidate;
        Parameters = parameters;
        Metric = metric;
        Duration = duration;
        PeakMemoryInMegaBytes = peakMemoryInMegaBytes;
        Model = model;
        Error = error;
    }

    /// <summary>0 for the first trial, then 1, 2, ...</summary>
    public int TrialId { get; }

    /// <summary>The candidate estimator's name.</summary>
    public string Candidate { get; }

    /// <summary>The searched parameters' values, by name.</summary>
    public IReadOnlyDictionary<string, object> Parameters { get; }

    /// <summary>The metric on the validation data; NaN when the trial failed or was stopped by the budget.</summary>
    public double Metric { get; }

    /// <summary>Wall-clock time of fitting and evaluating.</summary>
    public TimeSpan Duration { get; }

    /// <summary>The process's largest working set seen during the trial, in MiB.</summary>
    public double PeakMemoryInMegaBytes { get; }

    /// <summary>
    /// The fitted model (prefix, candidate and suffix) while this trial is the experiment's best; null when it failed or
    /// once a better trial exists (an experiment keeps one model, not one per trial, as AutoML does).
    /// </summary>
    public ITransformer? Model { get; private set; }

    /// <summary>Lets go of the model (the trial is no longer the best).</summary>
    internal void ReleaseModel() => Model = null;

    /// <summary>Why the trial failed (an <see cref="OperationCanceledException"/> when the budget ran out during it), or null.</summary>
    public Exception? Error { get; }

    /// <summary>True when the trial produced a model and a metric.</summary>
    public bool Succeeded => Error is null;

    /// <inheritdoc/>
    public override string ToString() =>
        $"trial {TrialId} {Candidate} ({string.Join(", ", Parameters.Select(p => $"{p.Key}={SweepParameter.Format(p.Value)}"))}): " +
        (Succeeded ? $"{Metric:F4}" : $"failed: {Error!.GetType().Name}: {Error.Message}") + $", {Duration.TotalSeconds:F1} s, {PeakMemoryInMegaBytes:F0} MiB";
}
