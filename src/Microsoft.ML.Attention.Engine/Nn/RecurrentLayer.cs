using System.Globalization;
using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// Shared machinery of <see cref="Lstm"/> and <see cref="Gru"/>: stacked layers, both directions, batch-first or
/// time-first layout, and variable lengths with PyTorch's packed-sequence semantics (outputs past a sequence's
/// length are zero, its final state is the one at its last valid step, the reverse direction starts there).
/// Parameter names follow PyTorch: <c>weight_ih_l0</c>, <c>weight_hh_l0</c>, <c>bias_ih_l0</c>, <c>bias_hh_l0</c>,
/// with <c>_reverse</c> for the backward direction.
/// </summary>
public abstract class RecurrentLayer : Module
{
    private readonly Tensor[][] _weights;
    private readonly Random _random;

    private protected RecurrentLayer(int gates, int inputSize, int hiddenSize, int numLayers, bool bidirectional, bool batchFirst, float dropout, Random? random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numLayers);
        if (dropout < 0f || dropout >= 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(dropout), $"Dropout must be in [0, 1); got {dropout}.");
        }

        _random = random ?? DefaultGenerator.Next();
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        Bidirectional = bidirectional;
        BatchFirst = batchFirst;
        DropoutProbability = dropout;
        int dirs = bidirectional ? 2 : 1;
        _weights = new Tensor[numLayers * dirs][];
        for (int l = 0; l < numLayers; l++)
        {
            int inSize = l == 0 ? inputSize : hiddenSize * dirs;
            for (int d = 0; d < dirs; d++)
            {
                string suffix = string.Create(CultureInfo.InvariantCulture, $"_l{l}{(d == 1 ? "_reverse" : "")}");
                _weights[l * dirs + d] =
                [
                    RegisterParameter("weight_ih" + suffix, Init.FanInUniform(_random, hiddenSize, gates * hiddenSize, inSize)),
                    RegisterParameter("weight_hh" + suffix, Init.FanInUniform(_random, hiddenSize, gates * hiddenSize, hiddenSize)),
                    RegisterParameter("bias_ih" + suffix, Init.FanInUniform(_random, hiddenSize, gates * hiddenSize)),
                    RegisterParameter("bias_hh" + suffix, Init.FanInUniform(_random, hiddenSize, gates * hiddenSize)),
                ];
            }
        }
    }

    /// <summary>Features per input step.</summary>
    public int InputSize { get; }

    /// <summary>State width per direction.</summary>
    public int HiddenSize { get; }

    /// <summary>Stacked layers.</summary>
    public int NumLayers { get; }

    /// <summary>Whether a reverse direction runs too.</summary>
    public bool Bidirectional { get; }

    /// <summary>Input and output are [B, T, F] when true, [T, B, F] when false.</summary>
    public bool BatchFirst { get; }

    /// <summary>Dropout between layers in training.</summary>
    public float DropoutProbability { get; }

    private protected abstract bool HasCell { get; }

    /// <summary>
    /// Runs each direction step by step from autograd ops (the reference the fused kernel is tested against) instead
    /// of as one fused operation. Default false.
    /// </summary>
    internal bool StepByStep { get; set; }

    /// <summary>Runs the layers over <paramref name="input"/>.</summary>
    /// <param name="input">[B, T, F] when batch-first, else [T, B, F].</param>
    /// <param name="lengths">Valid steps of each sequence (1 to T), or null when all have T.</param>
    /// <param name="initialHidden">[L·D, B, H] initial hidden state, or null for zeros.</param>
    /// <param name="initialCell">[L·D, B, H] initial LSTM cell state, or null for zeros.</param>
    public RecurrentOutput Forward(Tensor input, int[]? lengths = null, Tensor? initialHidden = null, Tensor? initialCell = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 3 || input.Dims[2] != InputSize)
        {
            throw new ArgumentException($"{GetType().Name} expects input {(BatchFirst ? "[batch, time, " : "[time, batch, ")}{InputSize}]; got shape {ShapeMath.Format(input.Dims)}.", nameof(input));
        }

        Tensor x = BatchFirst ? input : input.Transpose(0, 1);
        int b = x.Dims[0], t = x.Dims[1], h = HiddenSize, dirs = Bidirectional ? 2 : 1;
        CheckState(initialHidden, nameof(initialHidden), b);
        CheckState(initialCell, nameof(initialCell), b);
        CheckLengths(lengths, b, t);
        Tensor[]? masks = lengths is null || !StepByStep ? null : StepMasks(lengths, b, t);
        var finalH = new List<Tensor>();
        var finalC = new List<Tensor>();
        for (int l = 0; l < NumLayers; l++)
        {
            var outputs = new List<Tensor>(dirs);
            for (int d = 0; d < dirs; d++)
            {
                int k = l * dirs + d;
                Tensor h0 = initialHidden is null ? Tensor.Zeros(b, h) : Select(initialHidden, k);
                Tensor c0 = initialCell is null ? Tensor.Zeros(b, h) : Select(initialCell, k);
                (Tensor seq, Tensor hn, Tensor cn) = StepByStep
                    ? RunDirection(x, _weights[k], h0, c0, reverse: d == 1, masks)
                    : RunFused(x, _weights[k], h0, c0, reverse: d == 1, lengths);
                outputs.Add(seq);
                finalH.Add(hn);
                finalC.Add(cn);
            }

            x = dirs == 1 ? outputs[0] : Ops.Concat(outputs, 2);
            if (l < NumLayers - 1 && DropoutProbability > 0f)
            {
                x = x.Dropout(DropoutProbability, IsTraining, _random);
            }
        }

        Tensor output = BatchFirst ? x : x.Transpose(0, 1);
        return new RecurrentOutput(output, Stacked(finalH), HasCell ? Stacked(finalC) : null);
    }

    /// <summary>
    /// Runs the layers with the padded steps given by a padding mask [B, T] (batch-first) or [T, B] (time-first), in the
    /// pack's one mask convention (as attention's key padding masks): non-zero marks padding, zero a real step. Each
    /// sequence's real steps must come first (right padding).
    /// </summary>
    /// <exception cref="ArgumentException">The mask's shape does not match the input, or a sequence has a gap or no real step.</exception>
    public RecurrentOutput Forward(Tensor input, Tensor paddingMask, Tensor? initialHidden = null, Tensor? initialCell = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(paddingMask);
        int b = BatchFirst ? input.Size(0) : input.Size(1), t = BatchFirst ? input.Size(1) : input.Size(0);
        if (paddingMask.Rank != 2 || paddingMask.Length != b * t || paddingMask.Size(BatchFirst ? 0 : 1) != b)
        {
            throw new ArgumentException($"The padding mask must have shape {(BatchFirst ? $"[{b}, {t}]" : $"[{t}, {b}]")} for input of shape {ShapeMath.Format(input.Dims)}; got {ShapeMath.Format(paddingMask.Dims)}.", nameof(paddingMask));
        }

        int[] lengths = new int[b];
        ReadOnlySpan<float> m = paddingMask.AsSpan();
        for (int i = 0; i < b; i++)
        {
            int len = 0;
            bool ended = false;
            for (int s = 0; s < t; s++)
            {
                bool real = m[BatchFirst ? i * t + s : s * b + i] == 0f;
                if (real && ended)
                {
                    throw new ArgumentException($"Sequence {i} of the padding mask has a real step at {s} after padding; real steps must come first.", nameof(paddingMask));
                }

                ended |= !real;
                len += real ? 1 : 0;
            }

            lengths[i] = len;
        }

        return Forward(input, lengths, initialHidden, initialCell);
    }

    /// <summary>One step of the cell: gate pre-activations from input and state, and the new (h, c).</summary>
    private protected abstract (Tensor H, Tensor C) Step(Tensor inputGates, Tensor hiddenGates, Tensor h, Tensor c);

    /// <summary>One direction as one fused operation: the input projections of all steps in one GEMM, then the kernel.</summary>
    private (Tensor Sequence, Tensor H, Tensor C) RunFused(Tensor x, Tensor[] w, Tensor h, Tensor c, bool reverse, int[]? lengths)
    {
        int b = x.Dims[0], t = x.Dims[1], hs = HiddenSize;
        Tensor xproj = x.Linear(w[0], w[2]);
        Tensor y = Ops.RecurrentDirection(xproj, w[1], w[3], h, c, new RecurrentKernel.Shape(HasCell, b, t, hs, reverse, lengths));
        // A GRU's cell slot holds zeros that nothing reads: not copied out.
        return (y.Narrow(1, 0, t), y.Narrow(1, t, 1).Reshape(b, hs), HasCell ? y.Narrow(1, t + 1, 1).Reshape(b, hs) : c);
    }

    private (Tensor Sequence, Tensor H, Tensor C) RunDirection(Tensor x, Tensor[] w, Tensor h, Tensor c, bool reverse, Tensor[]? masks)
    {
        int b = x.Dims[0], t = x.Dims[1];
        Tensor xproj = x.Linear(w[0], w[2]);
        int g = w[0].Dims[0];
        var steps = new Tensor[t];
        for (int i = 0; i < t; i++)
        {
            int s = reverse ? t - 1 - i : i;
            Tensor xt = xproj.Narrow(1, s, 1).Reshape(b, g);
            Tensor ht = h.Linear(w[1], w[3]);
            (Tensor hNew, Tensor cNew) = Step(xt, ht, h, c);
            if (masks is null)
            {
                h = hNew;
                c = cNew;
                steps[s] = hNew;
            }
            else
            {
                // Past the sequence's length the state is carried unchanged and the output is zero.
                Tensor m = masks[s];
                h = h.Add(m.Mul(hNew.Sub(h)));
                if (HasCell)
                {
                    c = c.Add(m.Mul(cNew.Sub(c)));
                }

                steps[s] = hNew.Mul(m);
            }
        }

        return (Ops.Stack(steps, 1), h, c);
    }

    /// <summary>The final states [L·D, B, H]; one direction of one layer is a view, not a copy.</summary>
    private static Tensor Stacked(List<Tensor> states) => states.Count == 1 ? states[0].Unsqueeze(0) : Ops.Stack(states, 0);

    private static void CheckLengths(int[]? lengths, int b, int t)
    {
        if (lengths is null)
        {
            return;
        }

        if (lengths.Length != b)
        {
            throw new ArgumentException($"{lengths.Length} lengths were given for a batch of {b} sequences.", nameof(lengths));
        }

        for (int i = 0; i < b; i++)
        {
            if (lengths[i] < 1 || lengths[i] > t)
            {
                throw new ArgumentOutOfRangeException(nameof(lengths), $"Length {lengths[i]} of sequence {i} is outside [1, {t}].");
            }
        }
    }

    private static Tensor[] StepMasks(int[] lengths, int b, int t)
    {
        var masks = new Tensor[t];
        for (int s = 0; s < t; s++)
        {
            masks[s] = Tensor.Zeros(b, 1);
            for (int i = 0; i < b; i++)
            {
                masks[s].AsSpan()[i] = s < lengths[i] ? 1f : 0f;
            }
        }

        return masks;
    }

    private void CheckState(Tensor? state, string name, int b)
    {
        int expected = NumLayers * (Bidirectional ? 2 : 1);
        if (state is not null && (state.Rank != 3 || state.Dims[0] != expected || state.Dims[1] != b || state.Dims[2] != HiddenSize))
        {
            throw new ArgumentException($"{name} must have shape [{expected}, {b}, {HiddenSize}]; got {ShapeMath.Format(state.Dims)}.", name);
        }
    }

    private static Tensor Select(Tensor state, int k) => state.Narrow(0, k, 1).Reshape(state.Dims[1], state.Dims[2]);
}
