using Microsoft.ML.Attention.Nn;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// Early stopping on a score that should fall (a validation loss): remembers the best epoch's weights by parameter
/// name, counts epochs without improvement, and puts the best weights back at the end.
/// </summary>
public sealed class EarlyStopping
{
    private readonly Module _module;
    private Dictionary<string, float[]>? _best;

    /// <summary>Watches <paramref name="module"/>; training stops after <paramref name="patience"/> epochs without an improvement of more than <paramref name="minDelta"/>.</summary>
    public EarlyStopping(Module module, int patience, double minDelta = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(patience);
        _module = module;
        Patience = patience;
        MinDelta = minDelta;
    }

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>The smallest fall that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>The best score so far.</summary>
    public double Best { get; private set; } = double.PositiveInfinity;

    /// <summary>Epochs since the best one.</summary>
    public int Stale { get; private set; }

    /// <summary>Whether the patience has run out.</summary>
    public bool ShouldStop => Stale >= Patience;

    /// <summary>Records an epoch's score; returns true (and snapshots the weights) when it is the best so far.</summary>
    /// <exception cref="ArithmeticException">The score is not finite: training has diverged.</exception>
    public bool Report(double score)
    {
        if (!double.IsFinite(score))
        {
            throw new ArithmeticException($"The validation score is {score}: training has diverged (lower the learning rate, or check the data).");
        }

        if (score < Best - MinDelta)
        {
            Best = score;
            Stale = 0;
            _best = _module.StateDict().ToDictionary(p => p.Key, p => p.Value.ToArray());
            return true;
        }

        Stale++;
        return false;
    }

    /// <summary>
    /// What a checkpoint needs to continue: the best score, the epochs since it and the weights it was reached with
    /// (null before the first report).
    /// </summary>
    public (double Best, int Stale, IReadOnlyDictionary<string, float[]>? BestWeights) SaveState() => (Best, Stale, _best);

    /// <summary>Continues from a state read from <see cref="SaveState"/> of a monitor of the same module.</summary>
    /// <exception cref="ArgumentException">The weights do not match the module's parameters.</exception>
    public void LoadState(double best, int stale, IReadOnlyDictionary<string, float[]>? bestWeights)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stale);
        if (bestWeights is not null)
        {
            foreach ((string name, Tensors.Tensor t) in _module.StateDict())
            {
                if (!bestWeights.TryGetValue(name, out float[]? w) || w.Length != t.Length)
                {
                    throw new ArgumentException($"The early-stopping state has no weights of the module's '{name}' ({t.Length} values).", nameof(bestWeights));
                }
            }
        }

        Best = best;
        Stale = stale;
        _best = bestWeights?.ToDictionary(p => p.Key, p => p.Value.ToArray());
    }

    /// <summary>Copies the best epoch's weights back into the module (by name; nothing if no epoch was reported).</summary>
    public void RestoreBest()
    {
        if (_best is null)
        {
            return;
        }

        foreach ((string name, Tensors.Tensor t) in _module.StateDict())
        {
            _best[name].CopyTo(t.AsSpan());
        }
    }
}
