using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// Binary cross-entropy on logits, numerically stable, as PyTorch's <c>nn.BCEWithLogitsLoss</c>:
/// ℓ = max(x, 0) − x·t + log(1 + e^−|x|), with an optional positive-class weight.
/// </summary>
public sealed class BceWithLogitsLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="positiveWeight">Weight of the positive term (PyTorch's <c>pos_weight</c>, a scalar here); default 1.</param>
    /// <param name="reduction">How per-element losses combine (default <see cref="Reduction.Mean"/>).</param>
    public BceWithLogitsLoss(float positiveWeight = 1f, Reduction reduction = Reduction.Mean)
    {
        PositiveWeight = positiveWeight;
        Reduction = reduction;
    }

    /// <summary>The positive-class weight.</summary>
    public float PositiveWeight { get; }

    /// <summary>The reduction.</summary>
    public Reduction Reduction { get; }

    /// <summary>The loss of <paramref name="logits"/> against <paramref name="targets"/> in [0, 1] of the same shape.</summary>
    public Tensor Forward(Tensor logits, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (!ShapeMath.SameShape(logits.Dims, targets.Dims))
        {
            throw new ArgumentException($"BceWithLogitsLoss: logits of shape {ShapeMath.Format(logits.Dims)} and targets of shape {ShapeMath.Format(targets.Dims)} differ.");
        }

        ReadOnlySpan<float> x = logits.AsSpan(), t = targets.AsSpan();
        float pw = PositiveWeight;
        var per = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            // (1 + (pw-1)·t)·softplus(−x) + (1 − t)·x, written stably.
            float sp = MathF.Max(-x[i], 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x[i])));
            per[i] = (1f + (pw - 1f) * t[i]) * sp + (1f - t[i]) * x[i];
        }

        double sum = per.Sum(v => (double)v);
        Tensor loss = Reduction switch
        {
            Reduction.None => Tensor.FromArray(per, logits.Dims),
            Reduction.Sum => Tensor.Scalar((float)sum),
            _ => Tensor.Scalar((float)(sum / Math.Max(1, x.Length))),
        };
        if (Reduction != Reduction.None)
        {
            LossGuard.EnsureFinite(nameof(BceWithLogitsLoss), logits, loss.Item());
        }

        if (!(logits.RequiresGrad && GradMode.IsEnabled))
        {
            return loss;
        }

        float scale = Reduction == Reduction.Mean ? 1f / Math.Max(1, x.Length) : 1f;
        return Ops.Record(loss, nameof(BceWithLogitsLoss), [logits], g =>
        {
            Tensor gx = Tensor.Empty(logits.Dims);
            Span<float> gs = gx.AsSpan();
            ReadOnlySpan<float> xv = logits.AsSpan(), tv = targets.AsSpan(), gv = g.AsSpan();
            for (int i = 0; i < gs.Length; i++)
            {
                float sig = 1f / (1f + MathF.Exp(-xv[i]));
                // d/dx = (1 + (pw-1)t)·(σ(x) − 1) + (1 − t)
                float d = (1f + (pw - 1f) * tv[i]) * (sig - 1f) + (1f - tv[i]);
                gs[i] = d * (Reduction == Reduction.None ? gv[i] : gv[0] * scale);
            }

            return [gx];
        });
    }
}
