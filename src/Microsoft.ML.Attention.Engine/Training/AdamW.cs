using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Training;

/// <summary>AdamW: Adam with decoupled weight decay (PyTorch <c>optim.AdamW</c>, default λ = 0.01).</summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates AdamW.</summary>
    public AdamW(IEnumerable<Tensor> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0.01f)
        : base(parameters, learningRate, beta1, beta2, eps, weightDecay, decoupled: true)
    {
    }
}
