namespace Microsoft.ML.Attention.AutoML;

/// <summary>Random search: the initial point first, then points drawn uniformly from the unit cube (log ranges on their log scale).</summary>
/// <param name="space">The space to search.</param>
/// <param name="random">The generator that draws the points.</param>
public sealed class RandomSearchTuner(SweepSpace space, Random random) : ISweepTuner
{
    private bool _started;

    /// <inheritdoc/>
    public double[]? Propose()
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(random);
        if (!_started)
        {
            _started = true;
            return space.InitialPoint();
        }

        return [.. space.Parameters.Select(_ => random.NextDouble())];
    }

    /// <inheritdoc/>
    public void Report(double[] point, double loss)
    {
    }
}
