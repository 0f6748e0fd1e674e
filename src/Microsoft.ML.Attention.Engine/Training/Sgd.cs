using Microsoft.ML.Attention.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Training;

/// <summary>Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay (PyTorch <c>optim.SGD</c>).</summary>
public sealed class Sgd : Optimizer
{
    private float[]?[] _momentum;
    private float[] _scratch = [];

    /// <summary>Creates the optimizer.</summary>
    public Sgd(IEnumerable<Tensor> parameters, float learningRate, float momentum = 0f, float dampening = 0f, float weightDecay = 0f, bool nesterov = false)
        : base(parameters, learningRate)
    {
        if (nesterov && (momentum <= 0f || dampening != 0f))
        {
            throw new ArgumentException("Nesterov momentum requires a positive momentum and zero dampening.", nameof(nesterov));
        }

        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        _momentum = new float[Parameters.Count][];
    }

    /// <summary>Momentum factor.</summary>
    public float Momentum { get; }

    /// <summary>Dampening of the momentum.</summary>
    public float Dampening { get; }

    /// <summary>L2 penalty added to the gradient.</summary>
    public float WeightDecay { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> p, ReadOnlySpan<float> grad)
    {
        if (_scratch.Length < grad.Length)
        {
            _scratch = new float[grad.Length];
        }

        Span<float> g = _scratch.AsSpan(0, grad.Length);
        grad.CopyTo(g);
        if (WeightDecay != 0f)
        {
            TensorPrimitives.MultiplyAdd(p, WeightDecay, g, g);
        }

        if (Momentum != 0f)
        {
            bool first = _momentum[index] is null;
            float[] buf = State(ref _momentum, index, p.Length);
            if (first)
            {
                g.CopyTo(buf);
            }
            else
            {
                TensorPrimitives.Multiply(buf, Momentum, buf);
                TensorPrimitives.MultiplyAdd(g, 1f - Dampening, buf, buf);
            }

            if (Nesterov)
            {
                TensorPrimitives.MultiplyAdd(buf, Momentum, g, g);
            }
            else
            {
                buf.CopyTo(g);
            }
        }

        TensorPrimitives.MultiplyAdd(g, -LearningRate, p, p);
    }
}
