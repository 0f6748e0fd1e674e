namespace Microsoft.ML.Attention.AutoML;

/// <summary>Proposes the points of one search space to try, learning from the loss of each (lower is better).</summary>
public interface ISweepTuner
{
    /// <summary>The next point (unit coordinates, one per parameter), or null when the tuner has nothing left to try.</summary>
    double[]? Propose();

    /// <summary>The loss the last proposed point reached (<see cref="double.PositiveInfinity"/> for a failed trial).</summary>
    void Report(double[] point, double loss);
}
