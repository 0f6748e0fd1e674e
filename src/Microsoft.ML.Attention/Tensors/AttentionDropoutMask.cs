using System.Runtime.CompilerServices;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// Dropout on attention weights decided by a counter-based hash of (seed, head, query, key) instead of a stream of
/// random numbers, so that the fused kernel can recompute the same mask in backward without storing it, and the
/// fused and unfused paths drop the same weights given the same seed.
/// </summary>
internal readonly struct AttentionDropoutMask
{
    private readonly uint _seedLow;
    private readonly uint _seedHigh;
    private readonly uint _threshold;

    internal AttentionDropoutMask(float p, ulong seed)
    {
        P = p;
        _seedLow = (uint)seed;
        _seedHigh = (uint)(seed >> 32);
        _threshold = (uint)Math.Min(uint.MaxValue, Math.Round(p * 4294967296.0));
        KeepScale = p > 0f ? 1f / (1f - p) : 1f;
    }

    internal float P { get; }

    internal bool IsActive => P > 0f;

    /// <summary>1 / (1 − p): the factor applied to the weights that are kept.</summary>
    internal float KeepScale { get; }

    /// <summary>Multiplies row <paramref name="values"/> (keys j0…) of query i in head bh by 0 or 1/(1−p).</summary>
    internal void Apply(int bh, int i, int keyLength, int queryLength, int j0, Span<float> values)
    {
        ulong row = ((ulong)bh * (uint)queryLength + (uint)i) * (uint)keyLength + (uint)j0;
        for (int c = 0; c < values.Length; c++)
        {
            values[c] = Keep(row + (uint)c) ? values[c] * KeepScale : 0f;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool Keep(ulong index)
    {
        uint x = Mix(((uint)index * 0x9E3779B1u) ^ _seedLow);
        x = Mix(x ^ (uint)(index >> 32) ^ _seedHigh);
        return x >= _threshold;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Mix(uint x)
    {
        x ^= x >> 16;
        x *= 0x85EBCA6Bu;
        x ^= x >> 13;
        x *= 0xC2B2AE35u;
        x ^= x >> 16;
        return x;
    }
}
