using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// Dropout decided by a counter-based hash of (seed, element index) instead of a stream of random numbers: the fused
/// attention kernel recomputes the same mask in backward without storing it, the fused and unfused attention paths
/// drop the same weights given the same seed, and 16 decisions are made per instruction. Element index i is kept
/// when hash(seed, i) ≥ p·2³², and then scaled by 1/(1 − p).
/// </summary>
internal readonly struct DropoutMask
{
    private const uint Golden = 0x9E3779B1u;
    private const uint Mix1 = 0x85EBCA6Bu;
    private const uint Mix2 = 0xC2B2AE35u;

    private readonly uint _seedLow;
    private readonly uint _seedHigh;
    private readonly uint _threshold;

    internal DropoutMask(float p, ulong seed)
    {
        P = p;
        _seedLow = (uint)seed;
        _seedHigh = (uint)(seed >> 32);
        _threshold = (uint)Math.Min(uint.MaxValue, Math.Round(p * 4294967296.0));
        KeepScale = p > 0f ? 1f / (1f - p) : 1f;
    }

    internal float P { get; }

    internal bool IsActive => P > 0f;

    /// <summary>1 / (1 − p): the factor applied to the values that are kept.</summary>
    internal float KeepScale { get; }

    /// <summary>Multiplies row <paramref name="values"/> (keys j0…) of query i in head bh by 0 or 1/(1−p).</summary>
    internal void Apply(int bh, int i, int keyLength, int queryLength, int j0, Span<float> values)
    {
        ulong row = ((ulong)bh * (uint)queryLength + (uint)i) * (uint)keyLength + (uint)j0;
        Apply(row, values, values);
    }

    /// <summary>dst[c] = src[c] · (kept(start + c) ? 1/(1−p) : 0).</summary>
    internal void Apply(ulong start, ReadOnlySpan<float> src, Span<float> dst)
    {
        int n = src.Length, c = 0;
        if (Vector512.IsHardwareAccelerated && (ulong)(uint)start + (ulong)n <= uint.MaxValue)
        {
            // Within one 2³² window the high half of the index is constant.
            Vector512<uint> low = Vector512.Create((uint)start) + Vector512.Create(0u, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            Vector512<uint> high = Vector512.Create((uint)(start >> 32) ^ _seedHigh);
            Vector512<uint> seed = Vector512.Create(_seedLow), threshold = Vector512.Create(_threshold);
            Vector512<float> scale = Vector512.Create(KeepScale);
            for (; c + 16 <= n; c += 16, low += Vector512.Create(16u))
            {
                Vector512<uint> x = Mix((low * Golden) ^ seed);
                x = Mix(x ^ high);
                Vector512<float> kept = Vector512.GreaterThanOrEqual(x, threshold).AsSingle();
                Vector512<float> v = Vector512.Create(src.Slice(c, 16)) * scale;
                (v & kept).CopyTo(dst.Slice(c, 16));
            }
        }

        for (; c < n; c++)
        {
            dst[c] = Keep(start + (ulong)c) ? src[c] * KeepScale : 0f;
        }
    }

    /// <summary>Fills <paramref name="dst"/> with 0 or 1/(1−p) for elements start, start + 1, ….</summary>
    internal void Fill(ulong start, Span<float> dst)
    {
        dst.Fill(1f);
        Apply(start, dst, dst);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool Keep(ulong index)
    {
        uint x = Mix(((uint)index * Golden) ^ _seedLow);
        x = Mix(x ^ (uint)(index >> 32) ^ _seedHigh);
        return x >= _threshold;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Mix(uint x)
    {
        x ^= x >> 16;
        x *= Mix1;
        x ^= x >> 13;
        x *= Mix2;
        x ^= x >> 16;
        return x;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Mix(Vector512<uint> x)
    {
        x ^= Vector512.ShiftRightLogical(x, 16);
        x *= Mix1;
        x ^= Vector512.ShiftRightLogical(x, 13);
        x *= Mix2;
        x ^= Vector512.ShiftRightLogical(x, 16);
        return x;
    }
}
