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
    public int StepCount { get; protected set; }

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

    /// <summary>
    /// The optimizer's state, as PyTorch's <c>optimizer.state_dict()</c> holds it: <c>"step"</c> (the step count) and the
    /// per-parameter buffers (e.g. Adam's <c>"exp_avg.{i}"</c> and <c>"exp_avg_sq.{i}"</c>, i = the parameter's index);
    /// copies, for a checkpoint. <see cref="LoadStateDict"/> takes them back.
    /// </summary>
    public virtual IReadOnlyDictionary<string, Tensor> StateDict() =>
        new Dictionary<string, Tensor>(StringComparer.Ordinal) { ["step"] = Tensor.FromArray([StepCount], 1) };

    /// <summary>Restores a state read from <see cref="StateDict"/> of an optimizer over the same parameters.</summary>
    /// <exception cref="ArgumentException">An entry is missing or of the wrong size; the message names it.</exception>
    public virtual void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.TryGetValue("step", out Tensor? step) || step.Length != 1 || step.AsSpan()[0] < 0 || step.AsSpan()[0] != MathF.Floor(step.AsSpan()[0]))
        {
            throw new ArgumentException("The optimizer state has no valid \"step\" entry (one non-negative whole number).", nameof(state));
        }

        StepCount = (int)step.AsSpan()[0];
    }

    /// <summary>Copies per-parameter buffers into a state dictionary, skipping those not created yet.</summary>
    protected static void SaveBuffers(Dictionary<string, Tensor> state, string name, float[]?[] buffers)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(buffers);
        for (int i = 0; i < buffers.Length; i++)
        {
            if (buffers[i] is { } b)
            {
                state[$"{name}.{i}"] = Tensor.FromArray([.. b], b.Length);
            }
        }
    }

    /// <summary>Reads per-parameter buffers back (absent = not created yet), checking each against its parameter's size.</summary>
    protected void LoadBuffers(IReadOnlyDictionary<string, Tensor> state, string name, float[]?[] buffers)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(buffers);
        for (int i = 0; i < buffers.Length; i++)
        {
            if (!state.TryGetValue($"{name}.{i}", out Tensor? t))
            {
                buffers[i] = null;
                continue;
            }

            if (t.Length != Parameters[i].Length)
            {
                throw new ArgumentException($"The optimizer state's \"{name}.{i}\" has {t.Length} values; parameter {i} has {Parameters[i].Length}.", nameof(state));
            }

            buffers[i] = t.ToArray();
        }
    }

    /// <summary>Per-parameter state of the parameter's size, created zeroed on first use and kept across steps.</summary>
    protected static float[] State(ref float[]?[] states, int index, int length)
    {
        return states[index] ??= new float[length];
    }
}
