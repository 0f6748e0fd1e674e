using System.Numerics;
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
internal static unsafe class RecurrentKernel
{
    /// <summary>Rows per core below which one core runs the whole batch.</summary>
    private const int MinRowsPerPart = 16;

    /// <summary>
    /// Sequences are independent through the whole recurrence, so each core runs its own share of the rows through all
    /// steps (its own small serial GEMMs): one dispatch per call, not one per step.
    /// </summary>
    private static void ForRowRanges(int rows, Action<int, int> body)
    {
        int parts = Math.Clamp(rows / MinRowsPerPart, 1, CpuParallel.Degree);
        if (parts == 1)
        {
            body(0, rows);
            return;
        }

        CpuParallel.For(parts, p => body(rows * p / parts, rows * (p + 1) / parts));
    }

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
        int lx = xproj.Length, lw = whh.Length, lb = bhh.Length, lh = h0.Length, lc = c0.Length, ly = y.Length;
        fixed (float* px = xproj, pw = whh, pb = bhh, ph = h0, pc = c0, py = y)
        {
            nint x = (nint)px, w = (nint)pw, bias = (nint)pb, hInit = (nint)ph, cInit = (nint)pc, output = (nint)py;
            ForRowRanges(s.Batch, (r0, r1) => ForwardRows(s, r0, r1,
                new ReadOnlySpan<float>((float*)x, lx), new ReadOnlySpan<float>((float*)w, lw), new ReadOnlySpan<float>((float*)bias, lb),
                new ReadOnlySpan<float>((float*)hInit, lh), new ReadOnlySpan<float>((float*)cInit, lc), new Span<float>((float*)output, ly), saved));
        }
    }

    private static void ForwardRows(Shape s, int r0, int r1, ReadOnlySpan<float> xproj, ReadOnlySpan<float> whh, ReadOnlySpan<float> bhh,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, Span<float> y, Saved? saved)
    {
        int b = s.Batch, t = s.Steps, hs = s.Hidden, gw = s.GateWidth, rows = r1 - r0;
        int[] order = LengthOrder(s, r0, r1);
        // Scratch from the pool (every element is written before it is read), returned at the end.
        float[] h = BufferPool.Rent(rows * hs), c = BufferPool.Rent(s.Lstm ? rows * hs : 0);
        for (int j = 0; j < rows; j++)
        {
            h0.Slice((r0 + order[j]) * hs, hs).CopyTo(h.AsSpan(j * hs, hs));
            if (s.Lstm)
            {
                c0.Slice((r0 + order[j]) * hs, hs).CopyTo(c.AsSpan(j * hs, hs));
            }
        }

        float[] hg = BufferPool.Rent(rows * gw), pre = BufferPool.Rent(gw), hNew = BufferPool.Rent(hs);
        for (int k = 0; k < t; k++)
        {
            int step = s.StepAt(k);
            int active = ActiveRows(s, order, r0, step);
            if (active > 0)
            {
                Gemm.MultiplySerial(false, true, active, gw, hs, h, hs, whh, hs, hg, gw, accumulate: false);
            }

            for (int local = 0; local < rows; local++)
            {
                int i = r0 + order[local];
                Span<float> output = y.Slice((i * (t + 2) + step) * hs, hs);
                if (!s.Active(i, step))
                {
                    output.Clear();
                    saved?.HiddenBefore.AsSpan().Slice((step * b + i) * hs, hs).Clear(); // read by the weight gradient, times a zero
                    continue;
                }

                Span<float> hi = h.AsSpan(local * hs, hs);
                Span<float> hgi = hg.AsSpan(local * gw, gw);
                ReadOnlySpan<float> xg = xproj.Slice((i * t + step) * gw, gw);
                Span<float> act = saved is null ? pre : saved.Activations.AsSpan().Slice((step * b + i) * gw, gw);
                if (saved is not null)
                {
                    hi.CopyTo(saved.HiddenBefore.AsSpan().Slice((step * b + i) * hs, hs));
                }

                if (s.Lstm)
                {
                    Span<float> ci = c.AsSpan(local * hs, hs);
                    if (saved is not null)
                    {
                        ci.CopyTo(saved.CellBefore!.AsSpan().Slice((step * b + i) * hs, hs));
                    }

                    TensorPrimitives.Add(hgi, bhh, hgi);
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
                    GruCellKernel.Forward(hgi, bhh, xg, hi, act, saved is null ? default : saved.NewGateHidden!.AsSpan().Slice((step * b + i) * hs, hs));
                }

                hi.CopyTo(output);
            }
        }

        for (int local = 0; local < rows; local++)
        {
            int i = r0 + order[local];
            h.AsSpan(local * hs, hs).CopyTo(y.Slice((i * (t + 2) + t) * hs, hs));
            Span<float> cellOut = y.Slice((i * (t + 2) + t + 1) * hs, hs);
            if (s.Lstm)
            {
                c.AsSpan(local * hs, hs).CopyTo(cellOut);
            }
            else
            {
                cellOut.Clear();
            }
        }

        foreach (float[] scratch in (ReadOnlySpan<float[]>)[h, c, hg, pre, hNew])
        {
            BufferPool.Return(scratch);
        }
    }

    /// <summary>
    /// Gradients of one direction from <paramref name="dy"/> ([B, T + 2, H], as <see cref="Forward"/> lays out its
    /// result): into <paramref name="dxproj"/> [B, T, G·H], <paramref name="dwhh"/> [G·H, H], <paramref name="dbhh"/>
    /// [G·H], <paramref name="dh0"/> and <paramref name="dc0"/> [B, H]; each is overwritten, except that the recurrent
    /// weights' and bias's gradients are added to what they hold when <paramref name="accumulateWeights"/> (a decoder
    /// running one step per call adds every step's into the same gradient).
    /// </summary>
    internal static void Backward(Shape s, Saved saved, ReadOnlySpan<float> whh, ReadOnlySpan<float> dy,
        Span<float> dxproj, Span<float> dwhh, Span<float> dbhh, Span<float> dh0, Span<float> dc0, bool accumulateWeights = false)
    {
        int b = s.Batch, t = s.Steps, hs = s.Hidden, gw = s.GateWidth;
        // Pooled inside the training step's scope: a fresh large array per call would be a large-object allocation each time.
        Span<float> dHiddenGates = Tensor.Zeros(t, b, gw).AsSpan();
        dxproj.Clear();
        int lw = whh.Length, ldy = dy.Length, ldx = dxproj.Length, ldh = dh0.Length, ldg = dHiddenGates.Length;
        fixed (float* pw = whh, pdy = dy, pdx = dxproj, pdh = dh0, pdc = dc0, pdg = dHiddenGates)
        {
            nint w = (nint)pw, gradY = (nint)pdy, gradX = (nint)pdx, gradH = (nint)pdh, gradC = (nint)pdc, gradGates = (nint)pdg;
            ForRowRanges(b, (r0, r1) => BackwardRows(s, r0, r1, saved, new ReadOnlySpan<float>((float*)w, lw), new ReadOnlySpan<float>((float*)gradY, ldy),
                new Span<float>((float*)gradX, ldx), new Span<float>((float*)gradGates, ldg), new Span<float>((float*)gradH, ldh), new Span<float>((float*)gradC, ldh)));
        }

        // dW_hh = Σ_steps dhgᵀ · h_before, over all T·B rows at once; db_hh = Σ dhg. Inactive rows have dhg = 0.
        Gemm.Multiply(true, false, gw, hs, t * b, dHiddenGates, gw, saved.HiddenBefore.AsSpan(), hs, dwhh, hs, accumulate: accumulateWeights);
        // The bias's sum from zero, then added: the same order of additions either way.
        Span<float> bias = accumulateWeights ? Tensor.Empty(gw).AsSpan() : dbhh;
        bias.Clear();
        for (int row = 0; row < t * b; row++)
        {
            TensorPrimitives.Add(bias, dHiddenGates.Slice(row * gw, gw), bias);
        }

        if (accumulateWeights)
        {
            TensorPrimitives.Add(dbhh, bias, dbhh);
        }
    }

    private static void BackwardRows(Shape s, int r0, int r1, Saved saved, ReadOnlySpan<float> whh, ReadOnlySpan<float> dy,
        Span<float> dxproj, Span<float> dHiddenGates, Span<float> dh0, Span<float> dc0)
    {
        int b = s.Batch, t = s.Steps, hs = s.Hidden, gw = s.GateWidth, rows = r1 - r0;
        int[] order = LengthOrder(s, r0, r1);
        // Scratch from the pool (every element is written before it is read), returned at the end.
        float[] dh = BufferPool.Rent(rows * hs), dc = BufferPool.Rent(s.Lstm ? rows * hs : 0), dhPrev = BufferPool.Rent(rows * hs), dOut = BufferPool.Rent(hs);
        float[] dhgRows = BufferPool.Rent(rows * gw);
        for (int local = 0; local < rows; local++)
        {
            int i = r0 + order[local];
            dy.Slice((i * (t + 2) + t) * hs, hs).CopyTo(dh.AsSpan(local * hs, hs));
            if (s.Lstm)
            {
                dy.Slice((i * (t + 2) + t + 1) * hs, hs).CopyTo(dc.AsSpan(local * hs, hs));
            }
        }

        for (int k = t - 1; k >= 0; k--)
        {
            int step = s.StepAt(k);
            int active = ActiveRows(s, order, r0, step);
            for (int local = 0; local < active; local++)
            {
                int i = r0 + order[local];

                Span<float> dhi = dh.AsSpan(local * hs, hs);
                TensorPrimitives.Add(dhi, dy.Slice((i * (t + 2) + step) * hs, hs), dOut);
                ReadOnlySpan<float> act = saved.Activations.AsSpan().Slice((step * b + i) * gw, gw);
                ReadOnlySpan<float> hBefore = saved.HiddenBefore.AsSpan().Slice((step * b + i) * hs, hs);
                Span<float> dxg = dxproj.Slice((i * t + step) * gw, gw), dhgi = dhgRows.AsSpan(local * gw, gw);
                if (s.Lstm)
                {
                    ReadOnlySpan<float> ig = act[..hs], fg = act.Slice(hs, hs), gg = act.Slice(2 * hs, hs), og = act.Slice(3 * hs, hs);
                    ReadOnlySpan<float> tanhC = saved.TanhCell!.AsSpan().Slice((step * b + i) * hs, hs);
                    ReadOnlySpan<float> cBefore = saved.CellBefore!.AsSpan().Slice((step * b + i) * hs, hs);
                    LstmCellBackward(ig, fg, gg, og, tanhC, cBefore, dOut, dc.AsSpan(local * hs, hs), dxg);
                    dxg.CopyTo(dhgi);
                    dhi.Clear(); // h' depends on h only through the gates: the GEMM below adds that
                }
                else
                {
                    ReadOnlySpan<float> r = act[..hs], z = act.Slice(hs, hs), n = act.Slice(2 * hs, hs);
                    ReadOnlySpan<float> hn = saved.NewGateHidden!.AsSpan().Slice((step * b + i) * hs, hs);
                    GruCellBackward(r, z, n, hn, hBefore, dOut, dxg, dhgi, dhi);
                }

                dhgi.CopyTo(dHiddenGates.Slice((step * b + i) * gw, gw)); // for the weight gradient over all steps
            }

            // dh_before = dhg · W_hh + the direct terms, for the active rows; inactive rows carry their gradient unchanged.
            if (active > 0)
            {
                Gemm.MultiplySerial(false, false, active, hs, gw, dhgRows, gw, whh, hs, dhPrev, hs, accumulate: false);
                TensorPrimitives.Add(dh.AsSpan(0, active * hs), dhPrev.AsSpan(0, active * hs), dh.AsSpan(0, active * hs));
            }
        }

        for (int local = 0; local < rows; local++)
        {
            int i = r0 + order[local];
            dh.AsSpan(local * hs, hs).CopyTo(dh0.Slice(i * hs, hs));
            if (s.Lstm)
            {
                dc.AsSpan(local * hs, hs).CopyTo(dc0.Slice(i * hs, hs));
            }
            else
            {
                dc0.Slice(i * hs, hs).Clear();
            }
        }

        foreach (float[] scratch in (ReadOnlySpan<float[]>)[dh, dc, dhPrev, dOut, dhgRows])
        {
            BufferPool.Return(scratch);
        }
    }

    /// <summary>
    /// The rows [r0, r1) by length, longest first (stable), as offsets from r0: at every step the sequences still running
    /// are then a prefix, and the step's GEMM covers only them (as PyTorch's packed sequences do).
    /// </summary>
    private static int[] LengthOrder(Shape s, int r0, int r1)
    {
        int[] order = [.. Enumerable.Range(0, r1 - r0)];
        if (s.Lengths is { } lengths)
        {
            int[] keys = [.. order.Select(j => -lengths[r0 + j])];
            Array.Sort(keys, order); // not stable by itself: ties are broken below
            for (int a = 0; a < order.Length;)
            {
                int z = a;
                while (z < order.Length && keys[z] == keys[a])
                {
                    z++;
                }

                Array.Sort(order, a, z - a);
                a = z;
            }
        }

        return order;
    }

    /// <summary>How many rows, in <see cref="LengthOrder"/>, are still running at <paramref name="step"/>.</summary>
    private static int ActiveRows(Shape s, int[] order, int r0, int step)
    {
        if (s.Lengths is null)
        {
            return order.Length;
        }

        int n = 0;
        while (n < order.Length && s.Lengths[r0 + order[n]] > step)
        {
            n++;
        }

        return n;
    }

    /// <summary>
    /// LSTM gate gradients of one row: from the output gradient <paramref name="dOut"/> and the carried cell gradient
    /// <paramref name="dc"/> (updated in place to the previous cell's) into the gate pre-activations <paramref name="dGates"/> (i, f, g, o).
    /// </summary>
    private static void LstmCellBackward(ReadOnlySpan<float> ig, ReadOnlySpan<float> fg, ReadOnlySpan<float> gg, ReadOnlySpan<float> og,
        ReadOnlySpan<float> tanhC, ReadOnlySpan<float> cBefore, ReadOnlySpan<float> dOut, Span<float> dc, Span<float> dGates)
    {
        int hs = dc.Length, j = 0;
        Span<float> di = dGates[..hs], df = dGates.Slice(hs, hs), dg = dGates.Slice(2 * hs, hs), dO = dGates.Slice(3 * hs, hs);
        if (Vector.IsHardwareAccelerated)
        {
            var one = Vector<float>.One;
            for (; j <= hs - Vector<float>.Count; j += Vector<float>.Count)
            {
                Vector<float> th = new(tanhC[j..]), o = new(og[j..]), g = new(dOut[j..]), iv = new(ig[j..]), fv = new(fg[j..]), gv = new(gg[j..]);
                Vector<float> dcTotal = new Vector<float>(dc[j..]) + g * o * (one - th * th);
                (dcTotal * gv * iv * (one - iv)).CopyTo(di[j..]);
                (dcTotal * new Vector<float>(cBefore[j..]) * fv * (one - fv)).CopyTo(df[j..]);
                (dcTotal * iv * (one - gv * gv)).CopyTo(dg[j..]);
                (g * th * o * (one - o)).CopyTo(dO[j..]);
                (dcTotal * fv).CopyTo(dc[j..]);
            }
        }

        for (; j < hs; j++)
        {
            float th = tanhC[j], o = og[j], dcTotal = dc[j] + dOut[j] * o * (1 - th * th);
            float iv = ig[j], fv = fg[j], gv = gg[j];
            di[j] = dcTotal * gv * iv * (1 - iv);
            df[j] = dcTotal * cBefore[j] * fv * (1 - fv);
            dg[j] = dcTotal * iv * (1 - gv * gv);
            dO[j] = dOut[j] * th * o * (1 - o);
            dc[j] = dcTotal * fv;
        }
    }

    /// <summary>
    /// GRU gate gradients of one row: into the input gate pre-activations <paramref name="dxg"/> (r, z, n), the recurrent
    /// terms <paramref name="dhg"/> (the new gate's scaled by r), and the direct path into the previous state <paramref name="dh"/>.
    /// </summary>
    private static void GruCellBackward(ReadOnlySpan<float> r, ReadOnlySpan<float> z, ReadOnlySpan<float> n, ReadOnlySpan<float> hn,
        ReadOnlySpan<float> hBefore, ReadOnlySpan<float> dOut, Span<float> dxg, Span<float> dhg, Span<float> dh)
    {
        int hs = dh.Length, j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var one = Vector<float>.One;
            for (; j <= hs - Vector<float>.Count; j += Vector<float>.Count)
            {
                Vector<float> g = new(dOut[j..]), zv = new(z[j..]), nv = new(n[j..]), rv = new(r[j..]);
                Vector<float> dnPre = g * (one - zv) * (one - nv * nv);
                Vector<float> dzPre = g * (new Vector<float>(hBefore[j..]) - nv) * zv * (one - zv);
                Vector<float> drPre = dnPre * new Vector<float>(hn[j..]) * rv * (one - rv);
                drPre.CopyTo(dxg[j..]);
                dzPre.CopyTo(dxg[(hs + j)..]);
                dnPre.CopyTo(dxg[(2 * hs + j)..]);
                drPre.CopyTo(dhg[j..]);
                dzPre.CopyTo(dhg[(hs + j)..]);
                (dnPre * rv).CopyTo(dhg[(2 * hs + j)..]);
                (g * zv).CopyTo(dh[j..]);
            }
        }

        for (; j < hs; j++)
        {
            float g = dOut[j], zv = z[j], nv = n[j], rv = r[j];
            float dnPre = g * (1 - zv) * (1 - nv * nv);
            float dzPre = g * (hBefore[j] - nv) * zv * (1 - zv);
            float drPre = dnPre * hn[j] * rv * (1 - rv);
            dxg[j] = drPre;
            dxg[hs + j] = dzPre;
            dxg[2 * hs + j] = dnPre;
            dhg[j] = drPre;
            dhg[hs + j] = dzPre;
            dhg[2 * hs + j] = dnPre * rv;
            dh[j] = g * zv; // the direct path h' = … + z ⊙ h; the gate paths are added by the caller's GEMM
        }
    }
}
