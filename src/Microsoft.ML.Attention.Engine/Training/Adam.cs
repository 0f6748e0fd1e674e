using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Training;

/// <summary>
/// Adam (PyTorch <c>optim.Adam</c>, weight decay as an L2 term in the gradient) and, with
/// <see cref="DecoupledWeightDecay"/>, AdamW (PyTorch <c>optim.AdamW</c>: p ← p·(1 − lr·λ) before the Adam step).
/// </summary>
public class Adam : Optimizer
{
    private float[]?[] _m;
    private float[]?[] _v;

    /// <summary>Creates Adam.</summary>
    public Adam(IEnumerable<Tensor> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f)
        : this(parameters, learningRate, beta1, beta2, eps, weightDecay, decoupled: false)
    {
    }

    private protected Adam(IEnumerable<Tensor> parameters, float learningRate, float beta1, float beta2, float eps, float weightDecay, bool decoupled)
        : base(parameters, learningRate)
    {
        if (beta1 < 0f || beta1 >= 1f || beta2 < 0f || beta2 >= 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), $"Betas must be in [0, 1); got ({beta1}, {beta2}).");
        }

        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
        DecoupledWeightDecay = decoupled;
        _m = new float[Parameters.Count][];
        _v = new float[Parameters.Count][];
    }

    /// <summary>Decay of the first moment.</summary>
    public float Beta1 { get; }

    /// <summary>Decay of the second moment.</summary>
    public float Beta2 { get; }

    /// <summary>Denominator epsilon.</summary>
    public float Eps { get; }

    /// <summary>Weight decay λ.</summary>
    public float WeightDecay { get; }

    /// <summary>True for AdamW's decoupled decay, false for Adam's L2 term.</summary>
    public bool DecoupledWeightDecay { get; }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>(base.StateDict(), StringComparer.Ordinal);
        SaveBuffers(state, "exp_avg", _m);
        SaveBuffers(state, "exp_avg_sq", _v);
        return state;
    }

    /// <inheritdoc/>
    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        base.LoadStateDict(state);
        LoadBuffers(state, "exp_avg", _m);
        LoadBuffers(state, "exp_avg_sq", _v);
    }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> p, ReadOnlySpan<float> grad)
    {
        float[] m = State(ref _m, index, p.Length);
        float[] v = State(ref _v, index, p.Length);
        float lr = LearningRate;
        double bc1 = 1 - Math.Pow(Beta1, StepCount), bc2 = 1 - Math.Pow(Beta2, StepCount);
        var step = new AdamKernel.Step(
            Decay: DecoupledWeightDecay && WeightDecay != 0f ? 1f - lr * WeightDecay : 1f,
            L2: DecoupledWeightDecay ? 0f : WeightDecay,
            Beta1, Beta2, StepSize: (float)(lr / bc1), InverseSqrtBias2: (float)(1 / Math.Sqrt(bc2)), Eps);
        AdamKernel.Update(p, grad, m, v, step);
    }
}
