using System.Collections.Concurrent;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// Exact-length pool of float buffers used by tensors created inside a <see cref="TensorScope"/>,
/// so that a training step that repeats the same shapes reuses its buffers instead of allocating.
/// </summary>
internal static class BufferPool
{
    private const int MaxPerLength = 64;
    private static readonly ConcurrentDictionary<int, ConcurrentStack<float[]>> s_buckets = new();

    /// <summary>Rents a buffer of exactly <paramref name="length"/> floats; its contents are undefined.</summary>
    internal static float[] Rent(int length)
    {
        if (length == 0)
        {
            return [];
        }

        if (s_buckets.TryGetValue(length, out ConcurrentStack<float[]>? stack) && stack.TryPop(out float[]? array))
        {
            return array;
        }

        return GC.AllocateUninitializedArray<float>(length);
    }

    internal static void Return(float[] array)
    {
        if (array.Length == 0)
        {
            return;
        }

        ConcurrentStack<float[]> stack = s_buckets.GetOrAdd(array.Length, static _ => new ConcurrentStack<float[]>());
        if (stack.Count < MaxPerLength)
        {
            stack.Push(array);
        }
    }
}
