using System.Collections.Concurrent;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// Exact-length pool of float buffers used by tensors created inside a <see cref="TensorScope"/>, so that a training
/// step that repeats the same shapes reuses its buffers instead of allocating. Bounded three ways: at most
/// <see cref="MaxPerLength"/> buffers of one length, at most <see cref="MaxLengths"/> distinct lengths, and at most
/// <see cref="MaxPooledBytes"/> held in all. A buffer returned past the per-length or byte bound is left to the garbage
/// collector; a new length when the table is full empties the pool, so that the shapes of the current work take over.
/// </summary>
internal static class BufferPool
{
    /// <summary>Most buffers kept of any one length.</summary>
    internal const int MaxPerLength = 256;

    /// <summary>Most distinct lengths kept (a run over ever-changing shapes must not grow the table without end).</summary>
    internal const int MaxLengths = 2048;

    /// <summary>Most bytes held by the pool in all (512 MiB).</summary>
    internal const long MaxPooledBytes = 512L << 20;

    private static readonly ConcurrentDictionary<int, Bucket> s_buckets = new();
    private static long s_pooledFloats;

    /// <summary>Floats held by the pool now.</summary>
    internal static long PooledFloats => Interlocked.Read(ref s_pooledFloats);

    /// <summary>Distinct lengths the pool keeps a stack for.</summary>
    internal static int Lengths => s_buckets.Count;

    /// <summary>Rents a buffer of exactly <paramref name="length"/> floats; its contents are undefined.</summary>
    internal static float[] Rent(int length)
    {
        if (length == 0)
        {
            return [];
        }

        if (s_buckets.TryGetValue(length, out Bucket? bucket) && bucket.Stack.TryPop(out float[]? array))
        {
            Interlocked.Decrement(ref bucket.Count);
            Interlocked.Add(ref s_pooledFloats, -array.Length);
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

        if (!s_buckets.TryGetValue(array.Length, out Bucket? bucket))
        {
            if (s_buckets.Count >= MaxLengths)
            {
                Clear();
            }

            bucket = s_buckets.GetOrAdd(array.Length, static _ => new Bucket());
        }

        // Reserve a place first (ConcurrentStack's own Count walks the stack), so that concurrent returns cannot pass the bound.
        if (Interlocked.Increment(ref bucket.Count) > MaxPerLength)
        {
            Interlocked.Decrement(ref bucket.Count);
            return;
        }

        // Reserve the bytes first, so that concurrent returns cannot together pass the bound.
        if (Interlocked.Add(ref s_pooledFloats, array.Length) * sizeof(float) > MaxPooledBytes)
        {
            Interlocked.Add(ref s_pooledFloats, -array.Length);
            Interlocked.Decrement(ref bucket.Count);
            return;
        }

        bucket.Stack.Push(array);
    }

    /// <summary>Drops every pooled buffer and length.</summary>
    internal static void Clear()
    {
        foreach (int length in s_buckets.Keys)
        {
            if (s_buckets.TryRemove(length, out Bucket? bucket))
            {
                while (bucket.Stack.TryPop(out float[]? array))
                {
                    Interlocked.Decrement(ref bucket.Count);
                    Interlocked.Add(ref s_pooledFloats, -array.Length);
                }
            }
        }
    }

    /// <summary>Buffers of <paramref name="length"/> floats held by the pool now.</summary>
    internal static int Pooled(int length) => s_buckets.TryGetValue(length, out Bucket? bucket) ? Volatile.Read(ref bucket.Count) : 0;

    /// <summary>The buffers of one length and how many there are (a stack's own count is not constant time).</summary>
    private sealed class Bucket
    {
        internal readonly ConcurrentStack<float[]> Stack = new();
        internal int Count;
    }
}
