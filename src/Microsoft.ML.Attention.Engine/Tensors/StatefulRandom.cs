using System.Numerics;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// A <see cref="Random"/> whose whole state can be read and restored (xoshiro256**, seeded through SplitMix64), so that
/// a training run can be checkpointed and resumed exactly: shuffles, dropout masks and every other draw after the
/// restore are the draws the uninterrupted run makes. Every <see cref="Random"/> member is overridden, so the base
/// class's hidden generator is never used. Not thread-safe, as <see cref="Random"/>.
/// </summary>
public sealed class StatefulRandom : Random
{
    [ThreadStatic]
    private static StatefulRandom? t_divertedFrom;

    [ThreadStatic]
    private static StatefulRandom? t_divertedTo;

    private ulong _s0, _s1, _s2, _s3;

    /// <summary>A generator seeded by <paramref name="seed"/>.</summary>
    public StatefulRandom(long seed)
        : base(0)
    {
        ulong x = unchecked((ulong)seed);
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>The four state words; <see cref="Restore"/> takes them back.</summary>
    public ulong[] State => [_s0, _s1, _s2, _s3];

    /// <summary>Puts the generator back in a state read from <see cref="State"/>.</summary>
    /// <exception cref="ArgumentException">Not four words, or all zero (not a state xoshiro can be in).</exception>
    public void Restore(IReadOnlyList<ulong> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Count != 4 || (state[0] | state[1] | state[2] | state[3]) == 0)
        {
            throw new ArgumentException($"A StatefulRandom state is four words, not all zero; got {state.Count} word(s).", nameof(state));
        }

        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
    }

    /// <inheritdoc/>
    public override int Next() => (int)(NextUInt64() >> 33);

    /// <inheritdoc/>
    public override int Next(int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return (int)Below((ulong)maxValue);
    }

    /// <inheritdoc/>
    public override int Next(int minValue, int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        return (int)(minValue + (long)Below((ulong)((long)maxValue - minValue)));
    }

    /// <inheritdoc/>
    public override long NextInt64() => (long)(NextUInt64() >> 1);

    /// <inheritdoc/>
    public override long NextInt64(long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return (long)Below((ulong)maxValue);
    }

    /// <inheritdoc/>
    public override long NextInt64(long minValue, long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        return unchecked(minValue + (long)Below((ulong)(maxValue - minValue)));
    }

    /// <inheritdoc/>
    public override double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <inheritdoc/>
    public override float NextSingle() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <inheritdoc/>
    public override void NextBytes(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        NextBytes(buffer.AsSpan());
    }

    /// <inheritdoc/>
    public override void NextBytes(Span<byte> buffer)
    {
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = (byte)(NextUInt64() >> 56);
        }
    }

    /// <inheritdoc/>
    protected override double Sample() => NextDouble();

    /// <summary>
    /// Until the returned scope is disposed (on this thread), every draw this thread makes from this generator comes from
    /// <paramref name="piece"/> instead, and this generator's state is left alone: the pieces of a batch that run at once
    /// on threads of their own (a data-parallel training step) each draw from a generator of their own, seeded
    /// from this one beforehand, so the run stays deterministic. One diversion per thread at a time.
    /// </summary>
    internal IDisposable DivertOnThisThread(StatefulRandom piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        if (t_divertedFrom is not null)
        {
            throw new InvalidOperationException("This thread already diverts a generator's draws.");
        }

        t_divertedFrom = this;
        t_divertedTo = piece;
        return new Diversion();
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        if (t_divertedFrom is { } from && ReferenceEquals(from, this))
        {
            return t_divertedTo!.NextUInt64();
        }

        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, bound) without bias (Lemire's multiply-and-reject); 0 for a bound of 0.</summary>
    private ulong Below(ulong bound)
    {
        if (bound == 0)
        {
            return 0;
        }

        ulong high = Math.BigMul(NextUInt64(), bound, out ulong low);
        if (low < bound)
        {
            ulong threshold = (0 - bound) % bound;
            while (low < threshold)
            {
                high = Math.BigMul(NextUInt64(), bound, out low);
            }
        }

        return high;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private sealed class Diversion : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                t_divertedFrom = null;
                t_divertedTo = null;
            }
        }
    }
}
