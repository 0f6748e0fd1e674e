using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Microsoft.ML.Attention.Nn;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// An exponential moving average of a module's parameters (Polyak averaging, as <c>torch.optim.swa_utils.AveragedModel</c>
/// with an EMA, or timm's <c>ModelEmaV2</c>): after each optimizer step, avg ← d·avg + (1 − d)·θ, bias-corrected by
/// 1 − dᵗ so that early averages are not pulled towards zero. <see cref="Swap"/> exchanges the averaged and the live
/// weights in place, to evaluate or keep the average. Buffers (batch-norm statistics) are not averaged.
/// </summary>
public sealed class ExponentialMovingAverage
{
    private readonly Tensors.Tensor[] _parameters;
    private readonly float[][] _average;
    private int _updates;

    /// <summary>Tracks <paramref name="module"/>'s parameters with decay <paramref name="decay"/> in (0, 1).</summary>
    public ExponentialMovingAverage(Module module, float decay)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (!(decay > 0f && decay < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "The decay of a moving average must be in (0, 1).");
        }

        Decay = decay;
        _parameters = [.. module.Parameters()];
        _average = [.. _parameters.Select(p => new float[p.Length])];
    }

    /// <summary>The decay d.</summary>
    public float Decay { get; }

    /// <summary>Whether the live weights are swapped out (the module holds the average).</summary>
    public bool Swapped { get; private set; }

    /// <summary>Folds the current parameters into the average (call after each optimizer step).</summary>
    public void Update()
    {
        if (Swapped)
        {
            throw new InvalidOperationException("The moving average cannot be updated while it is swapped into the module.");
        }

        _updates++;
        for (int i = 0; i < _parameters.Length; i++)
        {
            Span<float> avg = _average[i];
            TensorPrimitives.Multiply(avg, Decay, avg);
            TensorPrimitives.MultiplyAdd(_parameters[i].AsSpan(), 1f - Decay, avg, avg);
        }
    }

    /// <summary>
    /// Exchanges the module's parameters with the bias-corrected average (and back on the next call). Without any update
    /// it does nothing.
    /// </summary>
    public void Swap()
    {
        if (_updates == 0)
        {
            return;
        }

        float correction = 1f - MathF.Pow(Decay, _updates);
        for (int i = 0; i < _parameters.Length; i++)
        {
            Span<float> live = _parameters[i].AsSpan(), avg = _average[i];
            for (int j = 0; j < live.Length; j++)
            {
                // Stored: the raw average while the live weights are in the module; the live weights while swapped.
                float shown = Swapped ? avg[j] : avg[j] / correction;
                avg[j] = Swapped ? live[j] * correction : live[j];
                live[j] = shown;
            }
        }

        Swapped = !Swapped;
    }

    /// <summary>What a checkpoint needs to continue averaging: the raw averages (one per parameter) and the update count.</summary>
    /// <exception cref="InvalidOperationException">The average is swapped into the module.</exception>
    public (IReadOnlyList<float[]> Averages, int Updates) SaveState() => Swapped
        ? throw new InvalidOperationException("The moving average cannot be saved while it is swapped into the module.")
        : ([.. _average.Select(a => a.ToArray())], _updates);

    /// <summary>Continues from a state read from <see cref="SaveState"/> of an average over the same module.</summary>
    /// <exception cref="ArgumentException">Another number or size of parameters.</exception>
    public void LoadState(IReadOnlyList<float[]> averages, int updates)
    {
        ArgumentNullException.ThrowIfNull(averages);
        ArgumentOutOfRangeException.ThrowIfNegative(updates);
        if (Swapped)
        {
            throw new InvalidOperationException("The moving average cannot be loaded while it is swapped into the module.");
        }

        if (averages.Count != _average.Length || averages.Where((a, i) => a.Length != _average[i].Length).Any())
        {
            throw new ArgumentException($"The moving-average state holds {averages.Count} averages that do not match the module's {_average.Length} parameters.", nameof(averages));
        }

        for (int i = 0; i < _average.Length; i++)
        {
            averages[i].CopyTo(_average[i], 0);
        }

        _updates = updates;
    }
}
