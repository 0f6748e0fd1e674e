using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>A recurrent attention model's outputs for a batch.</summary>
/// <param name="Logits">Class scores from the last state, [N, classes].</param>
/// <param name="LogPolicy">Log-density of each chosen location under the policy, [N, glimpses − 1] (gradients reach the location head only).</param>
/// <param name="Baselines">The baseline's reward estimate after each glimpse, [N, glimpses] (gradients reach the baseline head only).</param>
/// <param name="Locations">Every glimpse's location (x, y in [−1, 1]), [N, glimpses, 2], row-major.</param>
public sealed record RecurrentAttentionResult(Tensor Logits, Tensor? LogPolicy, Tensor Baselines, float[] Locations);
