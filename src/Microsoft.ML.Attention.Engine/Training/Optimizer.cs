using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Training;

/// <summary>Base of the optimizers: the parameters it updates and the learning rate a schedule may change.</summary>
public abstract class Optimizer
{
    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    protected Optimizer(IEnumerable<Tensor> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(learningRate >= 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), $"The learning rate must be ≥ 0; got {learningRate}.");
        }

        Parameters = [.. parameters];
        if (Parameters.Count == 0)
        {
            throw new ArgumentException("The optimizer got no parameters.", nameof(parameters));
        }

        LearningRate = learningRate;
    }

    /// <summary>The parameters updated by <see cref="Step"/>.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The current learning rate.</summary>
    public float LearningRate { get; set; }

    /// <summary>Number of steps taken.</summary>
    public int StepCount { get; private set; }

    /// <summary>Updates every parameter that has a gradient.</summary>
    public void Step()
    {
        StepCount++;
        for (int i = 0; i < Parameters.Count; i++)
        {
            Tensor p = Parameters[i];
            if (p.Grad is not null)
            {
                Update(i, p.AsSpan(), p.Grad.AsSpan());
            }
        }
    }

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (Tensor p in Parameters)
        {
            p.Grad?.AsSpan().Clear();
        }
    }

    /// <summary>Updates parameter <paramref name="index"/> in place from its gradient.</summary>
    protected abstract void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient);

    /// <summary>Per-parameter state of the parameter's size, created zeroed on first use and kept across steps.</summary>
    protected static float[] State(ref float[]?[] states, int index, int length)
    {
        return states[index] ??= new float[length];
    }
}
