using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Autograd;

public static partial class Ops
{
    /// <summary>
    /// One GRU or LSTM direction over a whole sequence as one recorded operation (<see cref="RecurrentKernel"/>):
    /// <paramref name="xproj"/> [B, T, G·H] the input projections of every step, <paramref name="whh"/> [G·H, H] and
    /// <paramref name="bhh"/> [G·H] the recurrent weights, <paramref name="h0"/> and <paramref name="c0"/> [B, H] the
    /// initial states (<paramref name="c0"/> is ignored by a GRU). Returns [B, T + 2, H]: every step's output, then the
    /// final hidden state, then the final cell state.
    /// </summary>
    internal static Tensor RecurrentDirection(Tensor xproj, Tensor whh, Tensor bhh, Tensor h0, Tensor c0, RecurrentKernel.Shape shape)
    {
        int b = shape.Batch, t = shape.Steps, hs = shape.Hidden;
        bool record = GradMode.IsEnabled && (xproj.RequiresGrad || whh.RequiresGrad || bhh.RequiresGrad || h0.RequiresGrad || c0.RequiresGrad);
        RecurrentKernel.Saved? saved = record ? new RecurrentKernel.Saved(shape) : null;
        Tensor y = Tensor.Empty(b, t + 2, hs);
        RecurrentKernel.Forward(shape, xproj.AsSpan(), whh.AsSpan(), bhh.AsSpan(), h0.AsSpan(), c0.AsSpan(), y.AsSpan(), saved);
        if (!record)
        {
            return y;
        }

        return Record(y, shape.Lstm ? "LstmDirection" : "GruDirection", [xproj, whh, bhh, h0, c0], (g, targets) =>
        {
            // The recurrent weights' gradients go straight into the ones already gathered when both exist (one decoder
            // step per call: every step adds into the same two gradients).
            Tensor? intoW = targets.Existing(1), intoB = targets.Existing(2);
            bool into = intoW is not null && intoB is not null && !ReferenceEquals(intoW, intoB);
            Tensor dx = Tensor.Empty(xproj.Dims), dw = into ? intoW! : Tensor.Empty(whh.Dims), db = into ? intoB! : Tensor.Empty(bhh.Dims);
            Tensor dh0 = Tensor.Empty(h0.Dims), dc0 = Tensor.Empty(c0.Dims);
            RecurrentKernel.Backward(shape, saved!, whh.AsSpan(), g.AsSpan(), dx.AsSpan(), dw.AsSpan(), db.AsSpan(), dh0.AsSpan(), dc0.AsSpan(), accumulateWeights: into);
            return [xproj.RequiresGrad ? dx : null, !whh.RequiresGrad ? null : into ? GradientTargets.Added : dw, !bhh.RequiresGrad ? null : into ? GradientTargets.Added : db,
                h0.RequiresGrad ? dh0 : null, c0.RequiresGrad ? dc0 : null];
        });
    }
}
