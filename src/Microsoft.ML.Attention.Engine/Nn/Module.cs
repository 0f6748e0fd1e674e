using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// Base of all layers: a tree of named parameters, buffers and child modules whose dotted names match PyTorch's
/// <c>state_dict</c> keys (e.g. <c>layers.0.weight</c>), and a train/eval mode.
/// </summary>
public abstract class Module
{
    private readonly List<KeyValuePair<string, Tensor>> _parameters = [];
    private readonly List<KeyValuePair<string, Tensor>> _buffers = [];
    private readonly List<KeyValuePair<string, Module>> _children = [];

    /// <summary>True in training mode (dropout active, batch statistics used), false in evaluation mode.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Sets training mode on this module and all its children.</summary>
    public void Train(bool training = true)
    {
        IsTraining = training;
        foreach (KeyValuePair<string, Module> child in _children)
        {
            child.Value.Train(training);
        }
    }

    /// <summary>Sets evaluation mode on this module and all its children.</summary>
    public void Eval() => Train(false);

    /// <summary>All parameters, depth first, with their dotted names.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedParameters() => Named(prefix: "", buffers: false);

    /// <summary>All parameters, depth first.</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Value);

    /// <summary>Parameters and buffers by their PyTorch <c>state_dict</c> names.</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var dict = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, Tensor> p in Named(prefix: "", buffers: true))
        {
            dict.Add(p.Key, p.Value);
        }

        return dict;
    }

    /// <summary>
    /// Copies values into the parameters and buffers of the same names. With <paramref name="strict"/>, a missing
    /// or unexpected name is an error; a shape mismatch always is.
    /// </summary>
    /// <exception cref="ArgumentException">Names or shapes do not match; nothing has been changed.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        IReadOnlyDictionary<string, Tensor> own = StateDict();
        var problems = new List<string>();
        foreach (KeyValuePair<string, Tensor> kv in own)
        {
            if (!state.TryGetValue(kv.Key, out Tensor? value))
            {
                if (strict)
                {
                    problems.Add($"missing '{kv.Key}'");
                }
            }
            else if (!ShapeMath.SameShape(value.Dims, kv.Value.Dims))
            {
                problems.Add($"'{kv.Key}' has shape {ShapeMath.Format(value.Dims)} but the module expects {ShapeMath.Format(kv.Value.Dims)}");
            }
        }

        if (strict)
        {
            problems.AddRange(state.Keys.Where(k => !own.ContainsKey(k)).Select(k => $"unexpected '{k}'"));
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"Cannot load the state into {GetType().Name}: {string.Join("; ", problems)}.", nameof(state));
        }

        foreach (KeyValuePair<string, Tensor> kv in own)
        {
            if (state.TryGetValue(kv.Key, out Tensor? value))
            {
                value.AsSpan().CopyTo(kv.Value.AsSpan());
            }
        }
    }

    /// <summary>Clears the gradients of all parameters.</summary>
    public void ZeroGrad()
    {
        foreach (Tensor p in Parameters())
        {
            p.Grad?.AsSpan().Clear();
        }
    }

    /// <summary>Registers a parameter (a copy of <paramref name="value"/> that requires grad and outlives any scope).</summary>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        Tensor p = Persistent(value);
        p.RequiresGrad = true;
        _parameters.Add(new(name, p));
        return p;
    }

    /// <summary>Registers a buffer: state saved with the module that is not trained (e.g. running statistics).</summary>
    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        Tensor b = Persistent(value);
        _buffers.Add(new(name, b));
        return b;
    }

    /// <summary>Registers a child module under <paramref name="name"/>.</summary>
    protected T RegisterModule<T>(string name, T module)
        where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        _children.Add(new(name, module));
        return module;
    }

    private static Tensor Persistent(Tensor value)
    {
        Tensor p = Tensor.ZerosUnscoped(value.Dims);
        value.AsSpan().CopyTo(p.AsSpan());
        return p;
    }

    private IEnumerable<KeyValuePair<string, Tensor>> Named(string prefix, bool buffers)
    {
        foreach (KeyValuePair<string, Tensor> p in _parameters)
        {
            yield return new(prefix + p.Key, p.Value);
        }

        if (buffers)
        {
            foreach (KeyValuePair<string, Tensor> b in _buffers)
            {
                yield return new(prefix + b.Key, b.Value);
            }
        }

        foreach (KeyValuePair<string, Module> c in _children)
        {
            foreach (KeyValuePair<string, Tensor> p in c.Value.Named(prefix + c.Key + ".", buffers))
            {
                yield return p;
            }
        }
    }
}

/// <summary>A module with a typed forward pass.</summary>
/// <typeparam name="TInput">What the module reads.</typeparam>
/// <typeparam name="TOutput">What it returns.</typeparam>
public abstract class Module<TInput, TOutput> : Module
{
    /// <summary>Computes the output, recording for backward when gradients are enabled.</summary>
    public abstract TOutput Forward(TInput input);
}
