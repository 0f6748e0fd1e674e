namespace Microsoft.ML.Attention.AutoML;

/// <summary>
/// Grid search: every choice and <c>steps</c> points of every range (<see cref="SweepParameter.Grid"/>); the point of
/// initial values first, then the rest of the grid in an order drawn from <c>random</c> (a grid too large to finish is
/// then sampled evenly rather than along its last axis), each point once; null when the grid is exhausted.
/// </summary>
public sealed class GridSearchTuner : ISweepTuner
{
    private readonly SweepSpace _space;
    private readonly Random _random;
    private readonly double[][] _axes;
    private readonly long _size;
    private readonly HashSet<long> _visited = [];

    /// <param name="space">The space to search.</param>
    /// <param name="steps">Points per range (at least 2).</param>
    /// <param name="random">The generator that orders the grid.</param>
    public GridSearchTuner(SweepSpace space, int steps, Random random)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(random);
        _space = space;
        _random = random;
        _axes = [.. space.Parameters.Select(p => p.Grid(steps).Select(p.UnitOf).ToArray())];
        _size = _axes.Aggregate(1L, (n, axis) => n > long.MaxValue / axis.Length ? long.MaxValue : n * axis.Length);
    }

    /// <summary>Points in the grid.</summary>
    public long Size => _size;

    /// <inheritdoc/>
    public double[]? Propose()
    {
        if (_visited.Count >= _size)
        {
            return null;
        }

        long index = 0;
        while (_visited.Count > 0 && _visited.Contains(index))
        {
            index = _visited.Count * 2 >= _size ? FirstUnvisited() : _random.NextInt64(_size);
        }

        _visited.Add(index);
        var point = new double[_axes.Length];
        for (int i = _axes.Length - 1; i >= 0; i--)
        {
            point[i] = _axes[i][index % _axes[i].Length];
            index /= _axes[i].Length;
        }

        return point;
    }

    /// <inheritdoc/>
    public void Report(double[] point, double loss)
    {
    }

    private long FirstUnvisited()
    {
        long i = 0;
        while (_visited.Contains(i))
        {
            i++;
        }

        return i;
    }
}
