using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Autograd;

/// <summary>The output of an attention call and, when they were requested, its weights.</summary>
/// <param name="Output">The attended values.</param>
/// <param name="Weights">The attention weights (after masking and softmax, before dropout), or null when not requested.</param>
public readonly record struct AttentionResult(Tensor Output, Tensor? Weights);
