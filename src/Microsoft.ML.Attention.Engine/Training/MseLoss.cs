using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Training;

/// <summary>Mean squared error, as PyTorch's <c>nn.MSELoss</c>.</summary>
public sealed class MseLoss
{
    /// <summary>Creates the loss with the given reduction (default <see cref="Reduction.Mean"/>).</summary>
    public MseLoss(Reduction reduction = Reduction.Mean) => Reduction = reduction;

    /// <summary>The reduction.</summary>
    public Reduction Reduction { get; }

    /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/> of the same shape.</summary>
    public Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (!ShapeMath.SameShape(input.Dims, target.Dims))
        {
            throw new ArgumentException($"MseLoss: input of shape {ShapeMath.Format(input.Dims)} and target of shape {ShapeMath.Format(target.Dims)} differ.");
        }

        Tensor diff = input.Sub(target);
        Tensor sq = diff.Mul(diff);
        Tensor loss = Reduction switch
        {
            Reduction.None => sq,
            Reduction.Sum => sq.Sum(),
            _ => sq.Mean(),
        };
        if (Reduction != Reduction.None)
        {
            LossGuard.EnsureFinite(nameof(MseLoss), input, loss.Item());
        }

        return loss;
    }
}
