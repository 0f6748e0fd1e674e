namespace Microsoft.ML.Attention.Training;

/// <summary>
/// Linear warmup from 0 to the base rate over <see cref="WarmupSteps"/>, then a cosine or linear decay to
/// <see cref="MinimumRate"/> at <see cref="TotalSteps"/> (and held there after).
/// </summary>
public sealed class LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    public LearningRateSchedule(float baseRate, int warmupSteps, int totalSteps, LearningRateDecay decay = LearningRateDecay.Cosine, float minimumRate = 0f)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        if (totalSteps < warmupSteps || totalSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(totalSteps), $"Total steps ({totalSteps}) must be at least 1 and at least the warmup steps ({warmupSteps}).");
        }

        BaseRate = baseRate;
        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
        Decay = decay;
        MinimumRate = minimumRate;
    }

    /// <summary>The peak rate reached after warmup.</summary>
    public float BaseRate { get; }

    /// <summary>Warmup length.</summary>
    public int WarmupSteps { get; }

    /// <summary>Where the decay ends.</summary>
    public int TotalSteps { get; }

    /// <summary>The decay shape.</summary>
    public LearningRateDecay Decay { get; }

    /// <summary>The final rate.</summary>
    public float MinimumRate { get; }

    /// <summary>The rate for the step numbered <paramref name="step"/> (0-based).</summary>
    public float RateAt(int step)
    {
        if (step < WarmupSteps)
        {
            return BaseRate * (step + 1) / WarmupSteps;
        }

        int span = TotalSteps - WarmupSteps;
        double progress = span == 0 ? 1.0 : Math.Min(1.0, (double)(step - WarmupSteps) / span);
        double factor = Decay == LearningRateDecay.Cosine ? 0.5 * (1 + Math.Cos(Math.PI * progress)) : 1 - progress;
        return (float)(MinimumRate + (BaseRate - MinimumRate) * factor);
    }

    /// <summary>Sets the optimizer's rate for step <paramref name="step"/>.</summary>
    public void Apply(Optimizer optimizer, int step)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        optimizer.LearningRate = RateAt(step);
    }
}
