namespace Microsoft.ML.Attention.AutoML;

/// <summary>
/// What an experiment sweeps: a fixed <see cref="Prefix"/> (e.g. <c>MapValueToKey</c> of the label), one of the
/// <see cref="Candidates"/> per trial with its parameters, and a fixed <see cref="Suffix"/> (e.g. <c>MapKeyToValue</c> of
/// the predicted label). Trials are evaluated on the output of prefix + candidate; the model a trial returns includes the
/// suffix.
/// </summary>
public sealed class SweepablePipeline
{
    /// <param name="candidates">The estimators to choose from; at least one, with distinct names.</param>
    /// <param name="prefix">Fitted before every candidate, or null.</param>
    /// <param name="suffix">Appended after every candidate in the returned model, or null.</param>
    public SweepablePipeline(IEnumerable<SweepableEstimator> candidates, Func<MLContext, IEstimator<ITransformer>>? prefix = null, Func<MLContext, IEstimator<ITransformer>>? suffix = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        Candidates = [.. candidates];
        if (Candidates.Count == 0)
        {
            throw new ArgumentException("A sweepable pipeline needs at least one candidate estimator.", nameof(candidates));
        }

        string? repeated = Candidates.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (repeated is not null)
        {
            throw new ArgumentException($"Two candidates are named '{repeated}'; trial results name their candidate, so names must differ.", nameof(candidates));
        }

        Prefix = prefix;
        Suffix = suffix;
    }

    /// <summary>The estimators one of which each trial uses.</summary>
    public IReadOnlyList<SweepableEstimator> Candidates { get; }

    /// <summary>Fitted before the candidate in every trial, or null.</summary>
    public Func<MLContext, IEstimator<ITransformer>>? Prefix { get; }

    /// <summary>Appended to every trial's model after evaluation, or null.</summary>
    public Func<MLContext, IEstimator<ITransformer>>? Suffix { get; }
}
