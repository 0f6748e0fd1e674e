using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// A whole GRU or LSTM direction over a sequence, forward and backward, in PyTorch's gate order (GRU: reset, update,
/// new; LSTM: input, forget, cell, output) and packed-sequence semantics (past a sequence's length its state is carried
/// unchanged and its output is zero; the reverse direction therefore starts at the last valid step). The input
/// projections of all steps come in already computed (one large GEMM); each step is one GEMM of the state against the
/// recurrent weights plus one elementwise pass over the gates; backward runs one GEMM per step for the state's gradient
/// and one large GEMM for the recurrent weights' gradient over all steps.
/// </summary>
internal static class RecurrentKernel
{
    /// <summary>Shapes and options of one direction.</summary>
    /// <param name="Lstm">LSTM (4 gates, a cell state) or GRU (3 gates).</param>
    /// <param name="Batch">Sequences B.</param>
    /// <param name="Steps">Steps T.</param>
    /// <param name="Hidden">State width H.</param>
    /// <param name="Reverse">Run from the last step to the first.</param>
    /// <param name="Lengths">Valid steps per sequence, or null when all have T.</param>
    internal sealed record Shape(bool Lstm, int Batch, int Steps, int Hidden, bool Reverse, int[]? Lengths)
    {
        internal int Gates => Lstm ? 4 : 3;

        internal int GateWidth => Gates * Hidden;

        internal bool Active(int row, int step) => Lengths is null || step < Lengths[row];

        internal int StepAt(int k) => Reverse ? Steps - 1 - k : k;
    }

    /// <summary>
    /// What backward needs, per step in [T, B, ·] layout: gate activations (GRU r, z, n; LSTM i, f, g, o), the state before
    /// the step, the GRU's recurrent new-gate term W_hn·h + b_hn, and the LSTM's previous cell and tanh of the new cell.
    /// </summary>
    internal sealed class Saved(Shape shape)
    {
        internal readonly Tensor Activations = Tensor.Empty(shape.Steps, shape.Batch, shape.GateWidth);
        internal readonly Tensor HiddenBefore = Tensor.Empty(shape.Steps, shape.Batch, shape.Hidden);
        internal readonly Tensor? NewGateHidden = shape.Lstm ? null : Tensor.Empty(shape.Steps, shape.Batch, shape.Hidden);
        internal readonly Tensor? CellBefore = shape.Lstm ? Tensor.Empty(shape.Steps, shape.Batch, shape.Hidden) : null;
        internal readonly Tensor? TanhCell = shape.Lstm ? Tensor.Empty(shape.Steps, shape.Batch, shape.Hidden) : null;
    }

    /// <summary>
    /// Runs the direction. <paramref name="xproj"/> is [B, T, G·H] (W_ih·x + b_ih of every step), <paramref name="whh"/>
    /// [G·H, H], <paramref name="bhh"/> [G·H], the initial states [B, H]; <paramref name="y"/> [B, T + 2, H] receives the
    /// outputs of all steps, then the final hidden state, then the final cell state (zeros for a GRU).
    /// </summary>
    internal static void Forward(Shape s, ReadOnlySpan<float> xproj, ReadOnlySpan<float> whh, ReadOnlySpan<float> bhh,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, Span<float> y, Saved? saved)
    {
        int b = s.Batch, t = s.Steps, hs = s.Hidden, gw = s.GateWidth;
        float[] h = h0.ToArray(), c = s.Lstm ? c0.ToArray() : [];
        float[] hg = new float[b * gw], pre = new float[gw], hNew = new float[hs];
        for (int k = 0; k < t; k++)
        {
            int step = s.StepAt(k);
            Gemm.Multiply(false, true, b, gw, hs, h, hs, whh, hs, hg, gw, accumulate: false, bhh);
            for (int i = 0; i < b; i++)
            {
                Span<float> output = y.Slice((i * (t + 2) + step) * hs, hs);
                if (!s.Active(i, step))
                {
                    output.Clear();
                    saved?.HiddenBefore.AsSpan().Slice((step * b + i) * hs, hs).Clear(); // read by the weight gradient, times a zero
                    continue;
                }

                Span<float> hi = h.AsSpan(i * hs, hs);
                ReadOnlySpan<float> xg = xproj.Slice((i * t + step) * gw, gw), hgi = hg.AsSpan(i * gw, gw);
                Span<float> act = saved is null ? pre : saved.Activations.AsSpan().Slice((step * b + i) * gw, gw);
                if (saved is not null)
                {
                    hi.CopyTo(saved.HiddenBefore.AsSpan().Slice((step * b + i) * hs, hs));
                }

                if (s.Lstm)
                {
                    Span<float> ci = c.AsSpan(i * hs, hs);
                    if (saved is not null)
                    {
                        ci.CopyTo(saved.CellBefore!.AsSpan().Slice((step * b + i) * hs, hs));
                    }

                    TensorPrimitives.Add(xg, hgi, act);
                    TensorPrimitives.Sigmoid(act[..(2 * hs)], act[..(2 * hs)]);
                    TensorPrimitives.Tanh(act.Slice(2 * hs, hs), act.Slice(2 * hs, hs));
                    TensorPrimitives.Sigmoid(act.Slice(3 * hs, hs), act.Slice(3 * hs, hs));
                    ReadOnlySpan<float> ig = act[..hs], fg = act.Slice(hs, hs), gg = act.Slice(2 * hs, hs), og = act.Slice(3 * hs, hs);
                    TensorPrimitives.Multiply(fg, ci, ci);
                    TensorPrimitives.MultiplyAdd(ig, gg, ci, ci);
                    Span<float> tanhC = saved is null ? hNew : saved.TanhCell!.AsSpan().Slice((step * b + i) * hs, hs);
                    TensorPrimitives.Tanh(ci, tanhC);
                    TensorPrimitives.Multiply(og, tanhC, hi);
                }
                else
                {
                    // r, z = σ(x + h terms); n = tanh(x_n + r ⊙ (W_hn h + b_hn)); h' = n + z ⊙ (h − n).
                    TensorPrimitives.Add(xg[..(2 * hs)], hgi[..(2 * hs)], act[..(2 * hs)]);
                    TensorPrimitives.Sigmoid(act[..(2 * hs)], act[..(2 * hs)]);
                    ReadOnlySpan<float> hn = hgi.Slice(2 * hs, hs);
                    if (saved is not null)
                    {
                        hn.CopyTo(saved.NewGateHidden!.AsSpan().Slice((step * b + i) * hs, hs));
                    }

                    Span<float> n = act.Slice(2 * hs, hs);
                    TensorPrimitives.MultiplyAdd(act[..hs], hn, xg.Slice(2 * hs, hs), n);
                    TensorPrimitives.Tanh(n, n);
                    TensorPrimitives.Subtract(hi, n, hNew);
                    TensorPrimitives.MultiplyAdd(act.Slice(hs, hs), hNew, n, hi);
                }

                hi.CopyTo(output);
            }
        }

        for (int i = 0; i < b; i++)
        {
            h.AsSpan(i * hs, hs).CopyTo(y.Slice((i * (t + 2) + t) * hs, hs));
            Span<float> cellOut = y.Slice((i * (t + 2) + t + 1) * hs, hs);
            if (s.Lstm)
            {
                c.AsSpan(i * hs, hs).CopyTo(cellOut);
            }
            else
            {
                cellOut.Clear();
            }
        }
    }

    /// <summary>
    /// Gradients of one direction from <paramref name="dy"/> ([B, T + 2, H], as <see cref="Forward"/> lays out its
    /// result): into <paramref name="dxproj"/> [B, T, G·H], <paramref name="dwhh"/> [G·H, H], <paramref name="dbhh"/>
    /// [G·H], <paramref name="dh0"/> and <paramref name="dc0"/> [B, H]; each is overwritten.
    /// </summary>
    internal static void Backward(Shape s, Saved saved, ReadOnlySpan<float> whh, ReadOnlySpan<float> dy,
        Span<float> dxproj, Span<float> dwhh, Span<float> dbhh, Span<float> dh0, Span<float> dc0)
    {
        int b = s.Batch, t = s.Steps, hs = s.Hidden, gw = s.GateWidth;
        float[] dh = new float[b * hs], dc = new float[b * hs], dhPrev = new float[b * hs], tmp = new float[hs], dOut = new float[hs];
        float[] dHiddenGates = new float[t * b * gw];
        for (int i = 0; i < b; i++)
        {
            dy.Slice((i * (t + 2) + t) * hs, hs).CopyTo(dh.AsSpan(i * hs, hs));
            if (s.Lstm)
            {
                dy.Slice((i * (t + 2) + t + 1) * hs, hs).CopyTo(dc.AsSpan(i * hs, hs));
            }
        }

        dxproj.Clear();
        for (int k = t - 1; k >= 0; k--)
        {
            int step = s.StepAt(k);
            Span<float> dhg = dHiddenGates.AsSpan(step * b * gw, b * gw);
            for (int i = 0; i < b; i++)
            {
                if (!s.Active(i, step))
                {
                    continue; // state carried: its gradient passes through; the zero output has none
                }

                Span<float> dhi = dh.AsSpan(i * hs, hs);
                TensorPrimitives.Add(dhi, dy.Slice((i * (t + 2) + step) * hs, hs), dOut);
                ReadOnlySpan<float> act = saved.Activations.AsSpan().Slice((step * b + i) * gw, gw);
                ReadOnlySpan<float> hBefore = saved.HiddenBefore.AsSpan().Slice((step * b + i) * hs, hs);
                Span<float> dxg = dxproj.Slice((i * t + step) * gw, gw), dhgi = dhg.Slice(i * gw, gw);
                if (s.Lstm)
                {
                    ReadOnlySpan<float> ig = act[..hs], fg = act.Slice(hs, hs), gg = act.Slice(2 * hs, hs), og = act.Slice(3 * hs, hs);
                    ReadOnlySpan<float> tanhC = saved.TanhCell!.AsSpan().Slice((step * b + i) * hs, hs);
                    ReadOnlySpan<float> cBefore = saved.CellBefore!.AsSpan().Slice((step * b + i) * hs, hs);
                    Span<float> dci = dc.AsSpan(i * hs, hs);
                    for (int j = 0; j < hs; j++)
                    {
                        float th = tanhC[j], o = og[j], dcTotal = dci[j] + dOut[j] * o * (1 - th * th);
                        float iv = ig[j], fv = fg[j], gv = gg[j];
                        dxg[j] = dcTotal * gv * iv * (1 - iv);
                        dxg[hs + j] = dcTotal * cBefore[j] * fv * (1 - fv);
                        dxg[2 * hs + j] = dcTotal * iv * (1 - gv * gv);
                        dxg[3 * hs + j] = dOut[j] * th * o * (1 - o);
                        dci[j] = dcTotal * fv;
                    }

                    dxg.CopyTo(dhgi);
                    dhi.Clear();
                }
                else
                {
                    ReadOnlySpan<float> r = act[..hs], z = act.Slice(hs, hs), n = act.Slice(2 * hs, hs);
                    ReadOnlySpan<float> hn = saved.NewGateHidden!.AsSpan().Slice((step * b + i) * hs, hs);
                    for (int j = 0; j < hs; j++)
                    {
                        float g = dOut[j], zv = z[j], nv = n[j], rv = r[j];
                        float dnPre = g * (1 - zv) * (1 - nv * nv);
                        float dzPre = g * (hBefore[j] - nv) * zv * (1 - zv);
                        float drPre = dnPre * hn[j] * rv * (1 - rv);
                        dxg[j] = drPre;
                        dxg[hs + j] = dzPre;
                        dxg[2 * hs + j] = dnPre;
                        dhgi[j] = drPre;
                        dhgi[hs + j] = dzPre;
                        dhgi[2 * hs + j] = dnPre * rv;
                        tmp[j] = g * zv;
                    }

                    tmp.CopyTo(dhi); // the direct path h' = … + z ⊙ h; the gate paths are added below
                }
            }

            // dh_before = dhg · W_hh + (direct terms, and the carried gradient of inactive rows, already in dh).
            Gemm.Multiply(false, false, b, hs, gw, dhg, gw, whh, hs, dhPrev, hs, accumulate: false);
            TensorPrimitives.Add(dh, dhPrev, dh);
        }

        dh.CopyTo(dh0);
        if (s.Lstm)
        {
            dc.CopyTo(dc0);
        }
        else
        {
            dc0.Clear();
        }

        // dW_hh = Σ_steps dhgᵀ · h_before, over all T·B rows at once; db_hh = Σ dhg. Inactive rows have dhg = 0.
        Gemm.Multiply(true, false, gw, hs, t * b, dHiddenGates, gw, saved.HiddenBefore.AsSpan(), hs, dwhh, hs, accumulate: false);
        dbhh.Clear();
        for (int row = 0; row < t * b; row++)
        {
            TensorPrimitives.Add(dbhh, dHiddenGates.AsSpan(row * gw, gw), dbhh);
        }
    }
}
