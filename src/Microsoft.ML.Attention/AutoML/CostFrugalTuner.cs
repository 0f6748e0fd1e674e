namespace Microsoft.ML.Attention.AutoML;

/// <summary>
/// Cost-frugal search (FLOW², the local search of Wu et al., "Frugal Optimization for Cost-related Hyperparameters",
/// AAAI 2021, which AutoML's CFO tuner implements): it starts at the initial point — the search options' cheap values
/// (few epochs, a small model) — and moves by randomized directional steps in the unit cube: from the incumbent x it
/// tries x + δu for a random unit direction u, then x − δu; a better point becomes the incumbent. After 2·d failed
/// directions in a row (d parameters) the step δ halves; when it falls below <see cref="MinimumStep"/> the search
/// restarts from a random perturbation of the initial point with the first step. Cost grows only as far as it pays.
/// </summary>
public sealed class CostFrugalTuner : ISweepTuner
{
    /// <summary>The first step, in unit coordinates.</summary>
    public const double InitialStep = 0.25;

    /// <summary>The step below which the search restarts.</summary>
    public const double MinimumStep = 0.01;

    private readonly SweepSpace _space;
    private readonly Random _random;
    private double[] _start;
    private double[]? _incumbent;
    private double _best = double.PositiveInfinity;
    private double[] _direction = [];
    private bool _triedPlus;
    private double _step = InitialStep;
    private int _failures;

    /// <param name="space">The space to search.</param>
    /// <param name="random">The generator of the directions and restarts.</param>
    public CostFrugalTuner(SweepSpace space, Random random)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(random);
        _space = space;
        _random = random;
        _start = space.InitialPoint();
    }

    /// <summary>The best point so far, or null before any report.</summary>
    public IReadOnlyList<double>? Incumbent => _incumbent;

    /// <summary>The current step.</summary>
    public double Step => _step;

    /// <inheritdoc/>
    public double[]? Propose()
    {
        int d = _space.Parameters.Count;
        if (_incumbent is null)
        {
            return (double[])_start.Clone();
        }

        if (d == 0)
        {
            return null;
        }

        if (!_triedPlus)
        {
            _direction = UnitDirection(d);
        }

        double sign = _triedPlus ? -1 : 1;
        return [.. _incumbent.Select((x, i) => Math.Clamp(x + sign * _step * _direction[i], 0, 1))];
    }

    /// <inheritdoc/>
    public void Report(double[] point, double loss)
    {
        ArgumentNullException.ThrowIfNull(point);
        if (_incumbent is null)
        {
            _incumbent = (double[])point.Clone();
            _best = loss;
            return;
        }

        if (loss < _best)
        {
            _incumbent = (double[])point.Clone();
            _best = loss;
            _triedPlus = false;
            _failures = 0;
            return;
        }

        if (!_triedPlus)
        {
            _triedPlus = true;
            return;
        }

        _triedPlus = false;
        if (++_failures >= 2 * _space.Parameters.Count)
        {
            _failures = 0;
            _step /= 2;
            if (_step < MinimumStep)
            {
                _step = InitialStep;
                _start = [.. _space.InitialPoint().Select(x => Math.Clamp(x + (_random.NextDouble() - 0.5) * 4 * InitialStep, 0, 1))];
                _incumbent = null;
                _best = double.PositiveInfinity;
            }
        }
    }

    private double[] UnitDirection(int d)
    {
        var u = new double[d];
        double norm = 0;
        while (norm < 1e-12)
        {
            norm = 0;
            for (int i = 0; i < d; i++)
            {
                // Box–Muller: a Gaussian per coordinate gives a direction uniform on the sphere.
                u[i] = Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());
                norm += u[i] * u[i];
            }

            norm = Math.Sqrt(norm);
        }

        for (int i = 0; i < d; i++)
        {
            u[i] /= norm;
        }

        return u;
    }
}
