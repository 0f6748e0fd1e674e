namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// The float buffer behind one or more <see cref="Tensor"/> views. A storage rented from the
/// <see cref="BufferPool"/> goes back to it when the owning tensor is disposed.
/// </summary>
internal sealed class TensorStorage
{
    private float[]? _array;

    internal TensorStorage(float[] array, bool pooled)
    {
        _array = array;
        Pooled = pooled;
    }

    internal bool Pooled { get; }

    internal float[] Array => _array ?? throw new ObjectDisposedException(nameof(Tensor), "The tensor was disposed (its scope ended); its buffer has been returned to the pool.");

    internal bool IsDisposed => _array is null;

    internal void Release()
    {
        float[]? a = _array;
        _array = null;
        if (a is not null && Pooled)
        {
            BufferPool.Return(a);
        }
    }
}
