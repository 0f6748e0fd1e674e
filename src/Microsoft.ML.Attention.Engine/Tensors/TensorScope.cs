namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// Tracks the tensors created on this thread while it is open and disposes them when it closes, returning their
/// buffers to a pool. A training loop opens one per step so that steady-state steps allocate next to nothing.
/// </summary>
/// <remarks>
/// Tensors that must outlive the scope (a loss value read after the step, a cached output) are kept with
/// <see cref="Tensor.MoveToOuterScope"/> or copied with <see cref="Tensor.ToArray"/> before the scope closes.
/// Parameters, their gradients and optimizer state are never tracked. Scopes nest.
/// </remarks>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic]
    private static TensorScope? t_current;

    private readonly TensorScope? _outer;
    private readonly List<Tensor> _tensors = new(256);
    private bool _disposed;

    private TensorScope()
    {
        _outer = t_current;
        t_current = this;
    }

    /// <summary>Opens a scope on the current thread.</summary>
    public static TensorScope Begin() => new();

    internal static TensorScope? Current => t_current;

    internal void Track(Tensor tensor) => _tensors.Add(tensor);

    internal void Detach(Tensor tensor)
    {
        int i = _tensors.LastIndexOf(tensor);
        if (i >= 0)
        {
            _tensors.RemoveAt(i);
        }

        _outer?.Track(tensor);
    }

    /// <summary>Disposes every tensor still tracked by this scope and restores the enclosing scope.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!ReferenceEquals(t_current, this))
        {
            throw new InvalidOperationException("Tensor scopes must be disposed in the reverse order of their creation, on the thread that opened them.");
        }

        t_current = _outer;
        foreach (Tensor t in _tensors)
        {
            t.Dispose();
        }

        _tensors.Clear();
    }
}
