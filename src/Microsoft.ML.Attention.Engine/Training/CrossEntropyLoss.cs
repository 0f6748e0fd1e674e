using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// Cross-entropy between logits [N, C] and class indices, fused with log-softmax, with PyTorch's
/// <c>nn.CrossEntropyLoss</c> semantics for class weights, <c>ignore_index</c> and <c>label_smoothing</c>:
/// loss = (1-ε)·w[y]·(−log p[y]) + (ε/C)·Σ_c w[c]·(−log p[c]); the mean divides by the summed target weights.
/// </summary>
public sealed class CrossEntropyLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="weight">Per-class weights [C], or null for equal weights.</param>
    /// <param name="ignoreIndex">Targets equal to this contribute nothing (default -100, as PyTorch).</param>
    /// <param name="labelSmoothing">ε in [0, 1] (default 0).</param>
    /// <param name="reduction">How per-sample losses combine (default <see cref="Reduction.Mean"/>).</param>
    public CrossEntropyLoss(Tensor? weight = null, int ignoreIndex = -100, float labelSmoothing = 0f, Reduction reduction = Reduction.Mean)
    {
        if (labelSmoothing < 0f || labelSmoothing > 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"Label smoothing must be in [0, 1]; got {labelSmoothing}.");
        }

        Weight = weight;
        IgnoreIndex = ignoreIndex;
        LabelSmoothing = labelSmoothing;
        Reduction = reduction;
    }

    /// <summary>Per-class weights, or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>The target value that is ignored.</summary>
    public int IgnoreIndex { get; }

    /// <summary>The label-smoothing ε.</summary>
    public float LabelSmoothing { get; }

    /// <summary>The reduction.</summary>
    public Reduction Reduction { get; }

    /// <summary>The loss of <paramref name="logits"/> [N, C] against <paramref name="targets"/> (N class indices).</summary>
    /// <exception cref="ArgumentException">Shapes disagree.</exception>
    /// <exception cref="IndexOutOfRangeException">A target is outside [0, C) and is not the ignore index.</exception>
    /// <exception cref="ArithmeticException">The loss is NaN or infinite.</exception>
    public Tensor Forward(Tensor logits, ReadOnlySpan<int> targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Rank != 2 || logits.Dims[0] != targets.Length)
        {
            throw new ArgumentException($"CrossEntropyLoss expects logits [N, C] and N targets; got logits of shape {ShapeMath.Format(logits.Dims)} and {targets.Length} targets.", nameof(logits));
        }

        int n = logits.Dims[0], c = logits.Dims[1];
        if (Weight is not null && Weight.Length != c)
        {
            throw new ArgumentException($"CrossEntropyLoss: the class weights have {Weight.Length} elements but the logits have {c} classes.");
        }

        int[] t = targets.ToArray();
        for (int i = 0; i < n; i++)
        {
            if (t[i] != IgnoreIndex && (uint)t[i] >= (uint)c)
            {
                throw new IndexOutOfRangeException($"CrossEntropyLoss: target {t[i]} at position {i} is out of range for {c} classes (logits of shape {ShapeMath.Format(logits.Dims)}).");
            }
        }

        float[] logp = new float[n * c];
        SoftmaxKernel.Forward(logits.AsSpan(), logp, n, c, log: true);
        float eps = LabelSmoothing;
        ReadOnlySpan<float> w = Weight is null ? default : Weight.AsSpan();
        float[] perSample = new float[n];
        double denom = 0;
        for (int i = 0; i < n; i++)
        {
            if (t[i] == IgnoreIndex)
            {
                continue;
            }

            float wy = Weight is null ? 1f : w[t[i]];
            double smooth = 0;
            if (eps > 0f)
            {
                for (int k = 0; k < c; k++)
                {
                    smooth += (Weight is null ? 1f : w[k]) * -logp[i * c + k];
                }
            }

            perSample[i] = (float)((1 - eps) * wy * -logp[i * c + t[i]] + eps / c * smooth);
            denom += wy;
        }

        Tensor loss;
        float scale;
        switch (Reduction)
        {
            case Reduction.None:
                loss = Tensor.FromArray(perSample, [n]);
                scale = 1f;
                break;
            case Reduction.Sum:
                loss = Tensor.Scalar((float)perSample.Sum(v => (double)v));
                scale = 1f;
                break;
            default:
                // PyTorch: a batch whose targets are all ignored gives NaN (0/0); that is reported as divergence below.
                loss = Tensor.Scalar((float)(perSample.Sum(v => (double)v) / denom));
                scale = (float)(1.0 / denom);
                break;
        }

        if (Reduction != Reduction.None)
        {
            LossGuard.EnsureFinite(nameof(CrossEntropyLoss), logits, loss.Item());
        }

        if (!(logits.RequiresGrad && GradMode.IsEnabled))
        {
            return loss;
        }

        Tensor? weight = Weight;
        return Ops.Record(loss, nameof(CrossEntropyLoss), [logits], g =>
        {
            Tensor gx = Tensor.Zeros(logits.Dims);
            Span<float> gs = gx.AsSpan();
            ReadOnlySpan<float> gv = g.AsSpan();
            ReadOnlySpan<float> wv = weight is null ? default : weight.AsSpan();
            float wsum = eps > 0f ? (weight is null ? c : TensorPrimitives.Sum(wv)) : 0f;
            for (int i = 0; i < n; i++)
            {
                if (t[i] == IgnoreIndex)
                {
                    continue;
                }

                float gi = (Reduction == Reduction.None ? gv[i] : gv[0]) * scale;
                float wy = weight is null ? 1f : wv[t[i]];

                // d/dz of (1-ε)·wy·(−log p_y) + (ε/C)·Σ w_k·(−log p_k) = p·((1-ε)·wy + (ε/C)·Σw) − (1-ε)·wy·1[y] − (ε/C)·w
                float total = (1 - eps) * wy + eps / c * wsum;
                for (int k = 0; k < c; k++)
                {
                    float p = MathF.Exp(logp[i * c + k]);
                    float d = p * total - (eps > 0f ? eps / c * (weight is null ? 1f : wv[k]) : 0f);
                    if (k == t[i])
                    {
                        d -= (1 - eps) * wy;
                    }

                    gs[i * c + k] = d * gi;
                }
            }

            return [gx];
        });
    }
}
