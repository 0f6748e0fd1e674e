namespace Microsoft.ML.Attention.AutoML;

/// <summary>The metric an experiment maximises (or minimises, for losses and errors), as ML.NET's evaluators report it.</summary>
public enum SweepMetric
{
    /// <summary>Multiclass: mean of the per-class accuracies.</summary>
    MacroAccuracy,

    /// <summary>Multiclass: share of rows predicted right.</summary>
    MicroAccuracy,

    /// <summary>Multiclass: log-loss (lower is better).</summary>
    LogLoss,

    /// <summary>Binary: share of rows predicted right.</summary>
    Accuracy,

    /// <summary>Binary: area under the ROC curve.</summary>
    AreaUnderRocCurve,

    /// <summary>Binary: F1 score.</summary>
    F1Score,

    /// <summary>Regression: coefficient of determination.</summary>
    RSquared,

    /// <summary>Regression: mean absolute error (lower is better).</summary>
    MeanAbsoluteError,

    /// <summary>Regression: root mean squared error (lower is better).</summary>
    RootMeanSquaredError,
}
