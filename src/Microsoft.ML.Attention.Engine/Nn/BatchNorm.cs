using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// Batch normalization over the channel dimension of [N, C] or [N, C, L] (<c>nn.BatchNorm1d</c>) and
/// [N, C, H, W] (<c>nn.BatchNorm2d</c>) input. Parameters <c>weight</c>, <c>bias</c>; buffers <c>running_mean</c>,
/// <c>running_var</c>. PyTorch's integer <c>num_batches_tracked</c> buffer is not kept (it only matters when
/// momentum is None).
/// </summary>
public sealed class BatchNorm : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer for <paramref name="numFeatures"/> channels.</summary>
    public BatchNorm(int numFeatures, float eps = 1e-5f, float momentum = 0.1f, bool affine = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numFeatures);
        Eps = eps;
        Momentum = momentum;
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(numFeatures));
            Bias = RegisterParameter("bias", Tensor.Zeros(numFeatures));
        }

        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(numFeatures));
        RunningVar = RegisterBuffer("running_var", Tensor.Ones(numFeatures));
    }

    /// <summary>The variance epsilon.</summary>
    public float Eps { get; }

    /// <summary>The running-statistics momentum.</summary>
    public float Momentum { get; }

    /// <summary>Scale, or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>Shift, or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Running mean per channel.</summary>
    public Tensor RunningMean { get; }

    /// <summary>Running (unbiased) variance per channel.</summary>
    public Tensor RunningVar { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) =>
        input.BatchNorm(RunningMean, RunningVar, Weight, Bias, IsTraining, Momentum, Eps);
}
