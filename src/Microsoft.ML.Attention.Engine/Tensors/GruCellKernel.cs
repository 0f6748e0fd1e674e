using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// The GRU cell's elementwise step for one row in one pass (PyTorch's gate order r, z, n):
/// r = σ(x_r + W_hr·h + b_hr), z = σ(x_z + W_hz·h + b_hz), n = tanh(x_n + r ⊙ (W_hn·h + b_hn)), h' = n + z ⊙ (h − n).
/// Vector512 or Vector256 over the hidden units (tanh and σ = ½·tanh(x/2) + ½ from <see cref="VectorTanh"/>'s rational form),
/// the last vector overlapping the one before it when H is not a multiple of the width (scalar only below one vector); one pass instead of eight calls over short spans. Without 256-bit vectors, span operations.
/// </summary>
internal static class GruCellKernel
{
    /// <summary>
    /// Updates <paramref name="h"/> (H values) in place from <paramref name="hiddenGates"/> (W_hh·h, 3H, without its bias
    /// <paramref name="hiddenBias"/>) and <paramref name="inputGates"/> (W_ih·x + b_ih, 3H); writes r, z, n into
    /// <paramref name="gates"/> (3H) and, unless empty, W_hn·h + b_hn into <paramref name="newGateHidden"/> (H).
    /// </summary>
    internal static void Forward(ReadOnlySpan<float> hiddenGates, ReadOnlySpan<float> hiddenBias, ReadOnlySpan<float> inputGates,
        Span<float> h, Span<float> gates, Span<float> newGateHidden)
    {
        int hs = h.Length;
        if (hiddenGates.Length < 3 * hs || hiddenBias.Length < 3 * hs || inputGates.Length < 3 * hs || gates.Length < 3 * hs || (!newGateHidden.IsEmpty && newGateHidden.Length < hs))
        {
            throw new ArgumentException($"GRU cell: gate spans shorter than 3 × {hs}.");
        }

        if (!Vector256.IsHardwareAccelerated)
        {
            Spans(hiddenGates, hiddenBias, inputGates, h, gates, newGateHidden);
            return;
        }

        bool save = !newGateHidden.IsEmpty;
        ref float hg = ref MemoryMarshal.GetReference(hiddenGates);
        ref float bh = ref MemoryMarshal.GetReference(hiddenBias);
        ref float xg = ref MemoryMarshal.GetReference(inputGates);
        ref float hr = ref MemoryMarshal.GetReference(h);
        ref float act = ref MemoryMarshal.GetReference(gates);
        ref float hn = ref save ? ref MemoryMarshal.GetReference(newGateHidden) : ref Unsafe.NullRef<float>();
        int j = 0;
        if (Vector512.IsHardwareAccelerated && hs >= Vector512<float>.Count)
        {
            // The last vector overlaps the one before it (H = 50: 0–15, 16–31, 32–47, 34–49) instead of a scalar tail: it is
            // computed first, from the h it reads, and stored last, so every unit gets the same operations.
            int last = hs - Vector512<float>.Count;
            Step512(ref hg, ref bh, ref xg, ref hr, hs, last, out Vector512<float> lr, out Vector512<float> lz, out Vector512<float> ln, out Vector512<float> lhidden, out Vector512<float> lh);
            for (; j < last; j += Vector512<float>.Count)
            {
                Step512(ref hg, ref bh, ref xg, ref hr, hs, j, out Vector512<float> rg, out Vector512<float> zg, out Vector512<float> ng, out Vector512<float> hidden, out Vector512<float> next);
                Store512(ref act, ref hn, ref hr, save, hs, j, rg, zg, ng, hidden, next);
            }

            Store512(ref act, ref hn, ref hr, save, hs, last, lr, lz, ln, lhidden, lh);
            return;
        }

        if (Vector256.IsHardwareAccelerated && hs >= Vector256<float>.Count)
        {
            int last = hs - Vector256<float>.Count;
            Step256(ref hg, ref bh, ref xg, ref hr, hs, last, out Vector256<float> lr, out Vector256<float> lz, out Vector256<float> ln, out Vector256<float> lhidden, out Vector256<float> lh);
            for (; j < last; j += Vector256<float>.Count)
            {
                Step256(ref hg, ref bh, ref xg, ref hr, hs, j, out Vector256<float> rg, out Vector256<float> zg, out Vector256<float> ng, out Vector256<float> hidden, out Vector256<float> next);
                Store256(ref act, ref hn, ref hr, save, hs, j, rg, zg, ng, hidden, next);
            }

            Store256(ref act, ref hn, ref hr, save, hs, last, lr, lz, ln, lhidden, lh);
            return;
        }

        for (; j < hs; j++)
        {
            float rg = VectorTanh.Sigmoid(inputGates[j] + hiddenGates[j] + hiddenBias[j]);
            float zg = VectorTanh.Sigmoid(inputGates[hs + j] + hiddenGates[hs + j] + hiddenBias[hs + j]);
            float hidden = hiddenGates[2 * hs + j] + hiddenBias[2 * hs + j];
            float ng = VectorTanh.Tanh(MathF.FusedMultiplyAdd(rg, hidden, inputGates[2 * hs + j]));
            h[j] = MathF.FusedMultiplyAdd(zg, h[j] - ng, ng);
            gates[j] = rg;
            gates[hs + j] = zg;
            gates[2 * hs + j] = ng;
            if (save)
            {
                newGateHidden[j] = hidden;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step512(ref float hg, ref float bh, ref float xg, ref float hr, int hs, int j,
        out Vector512<float> rg, out Vector512<float> zg, out Vector512<float> ng, out Vector512<float> hidden, out Vector512<float> next)
    {
        nuint r = (nuint)j, z = (nuint)(hs + j), n = (nuint)(2 * hs + j);
        rg = VectorTanh.Sigmoid(Vector512.LoadUnsafe(ref xg, r) + Vector512.LoadUnsafe(ref hg, r) + Vector512.LoadUnsafe(ref bh, r));
        zg = VectorTanh.Sigmoid(Vector512.LoadUnsafe(ref xg, z) + Vector512.LoadUnsafe(ref hg, z) + Vector512.LoadUnsafe(ref bh, z));
        hidden = Vector512.LoadUnsafe(ref hg, n) + Vector512.LoadUnsafe(ref bh, n);
        ng = VectorTanh.Tanh(Vector512.FusedMultiplyAdd(rg, hidden, Vector512.LoadUnsafe(ref xg, n)));
        next = Vector512.FusedMultiplyAdd(zg, Vector512.LoadUnsafe(ref hr, r) - ng, ng);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(ref float act, ref float hn, ref float hr, bool save, int hs, int j,
        Vector512<float> rg, Vector512<float> zg, Vector512<float> ng, Vector512<float> hidden, Vector512<float> next)
    {
        nuint r = (nuint)j;
        next.StoreUnsafe(ref hr, r);
        rg.StoreUnsafe(ref act, r);
        zg.StoreUnsafe(ref act, (nuint)(hs + j));
        ng.StoreUnsafe(ref act, (nuint)(2 * hs + j));
        if (save)
        {
            hidden.StoreUnsafe(ref hn, r);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step256(ref float hg, ref float bh, ref float xg, ref float hr, int hs, int j,
        out Vector256<float> rg, out Vector256<float> zg, out Vector256<float> ng, out Vector256<float> hidden, out Vector256<float> next)
    {
        nuint r = (nuint)j, z = (nuint)(hs + j), n = (nuint)(2 * hs + j);
        rg = VectorTanh.Sigmoid(Vector256.LoadUnsafe(ref xg, r) + Vector256.LoadUnsafe(ref hg, r) + Vector256.LoadUnsafe(ref bh, r));
        zg = VectorTanh.Sigmoid(Vector256.LoadUnsafe(ref xg, z) + Vector256.LoadUnsafe(ref hg, z) + Vector256.LoadUnsafe(ref bh, z));
        hidden = Vector256.LoadUnsafe(ref hg, n) + Vector256.LoadUnsafe(ref bh, n);
        ng = VectorTanh.Tanh(Vector256.FusedMultiplyAdd(rg, hidden, Vector256.LoadUnsafe(ref xg, n)));
        next = Vector256.FusedMultiplyAdd(zg, Vector256.LoadUnsafe(ref hr, r) - ng, ng);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(ref float act, ref float hn, ref float hr, bool save, int hs, int j,
        Vector256<float> rg, Vector256<float> zg, Vector256<float> ng, Vector256<float> hidden, Vector256<float> next)
    {
        nuint r = (nuint)j;
        next.StoreUnsafe(ref hr, r);
        rg.StoreUnsafe(ref act, r);
        zg.StoreUnsafe(ref act, (nuint)(hs + j));
        ng.StoreUnsafe(ref act, (nuint)(2 * hs + j));
        if (save)
        {
            hidden.StoreUnsafe(ref hn, r);
        }
    }

    /// <summary>The same step as vectorized span operations, for machines without 256-bit vectors (128-bit Arm, say).</summary>
    private static void Spans(ReadOnlySpan<float> hiddenGates, ReadOnlySpan<float> hiddenBias, ReadOnlySpan<float> inputGates,
        Span<float> h, Span<float> gates, Span<float> newGateHidden)
    {
        int hs = h.Length;
        Span<float> hidden = !newGateHidden.IsEmpty ? newGateHidden[..hs] : hs <= 1024 ? stackalloc float[hs] : new float[hs];
        Span<float> rz = gates[..(2 * hs)], n = gates.Slice(2 * hs, hs);
        TensorPrimitives.Add(inputGates[..(2 * hs)], hiddenGates[..(2 * hs)], rz);
        TensorPrimitives.Add(rz, hiddenBias[..(2 * hs)], rz);
        TensorPrimitives.Sigmoid(rz, rz);
        TensorPrimitives.Add(hiddenGates.Slice(2 * hs, hs), hiddenBias.Slice(2 * hs, hs), hidden);
        TensorPrimitives.MultiplyAdd(gates[..hs], hidden, inputGates.Slice(2 * hs, hs), n);
        TensorPrimitives.Tanh(n, n);
        TensorPrimitives.Subtract(h, n, h);
        TensorPrimitives.MultiplyAdd(gates.Slice(hs, hs), h, n, h);
    }
}
