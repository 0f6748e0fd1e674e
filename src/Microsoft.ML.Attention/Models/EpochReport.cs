namespace Microsoft.ML.Attention.Models;

/// <summary>What one training epoch did.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="TrainLoss">Mean training loss.</param>
/// <param name="ValidationLoss">Mean validation loss, or null without a validation split.</param>
/// <param name="Improved">True when this epoch's weights are the best so far (and kept).</param>
public sealed record EpochReport(int Epoch, int Epochs, double TrainLoss, double? ValidationLoss, bool Improved);
