namespace Microsoft.ML.Attention.AutoML;

/// <summary>
/// An estimator with a search space: <see cref="Build"/> turns a point's parameter values into a search-options object
/// and the factory turns that into an estimator (the pack's, ML.NET's, or a chain of them).
/// </summary>
public sealed class SweepableEstimator
{
    private readonly Func<MLContext, object, IEstimator<ITransformer>> _factory;

    private SweepableEstimator(string name, SweepSpace space, Func<MLContext, object, IEstimator<ITransformer>> factory)
    {
        Name = name;
        Space = space;
        _factory = factory;
    }

    /// <summary>The name trials and the leaderboard show.</summary>
    public string Name { get; }

    /// <summary>What is searched.</summary>
    public SweepSpace Space { get; }

    /// <summary>
    /// A sweepable estimator over <typeparamref name="TOptions"/>'s attributed properties (ML.NET's
    /// <c>Range</c> / <c>Choice</c> / <c>BooleanChoice</c>).
    /// </summary>
    /// <param name="name">Shown in trial results.</param>
    /// <param name="factory">Builds the estimator of one trial from its options.</param>
    public static SweepableEstimator Create<TOptions>(string name, Func<MLContext, TOptions, IEstimator<ITransformer>> factory)
        where TOptions : class, new()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        return new SweepableEstimator(name, SweepSpace.Of<TOptions>(), (ml, o) => factory(ml, (TOptions)o));
    }

    /// <summary>The estimator for <paramref name="values"/> (missing parameters take their initial values).</summary>
    public IEstimator<ITransformer> Build(MLContext mlContext, IReadOnlyDictionary<string, object> values)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(values);
        return _factory(mlContext, Space.Create(values));
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {string.Join("; ", Space.Parameters)}";
}
