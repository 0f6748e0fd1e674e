using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Autograd;

/// <summary>
/// During backward, the gradient already gathered for each input of the node being run: the pending sum of a
/// non-leaf's gradient, or a leaf's <see cref="Tensor.Grad"/> (its buffer in the thread's <see cref="LeafGradients"/>
/// while one gathers them). A backward function that produces its contribution with
/// a GEMM can add it there directly (the GEMM's accumulate mode) and return <see cref="Added"/> for that input, instead
/// of writing a fresh tensor that the engine then adds: one pass over the gradient instead of three, for inputs that
/// many nodes feed (the encoder states every decoder step attends to, weights shared by every step).
/// </summary>
internal sealed class GradientTargets
{
    /// <summary>Returned in place of an input's gradient: the function has added it to <see cref="Existing"/> itself.</summary>
    internal static readonly Tensor Added = Tensor.ZerosUnscoped([0]);

    private readonly Dictionary<BackwardNode, Tensor> _pending;
    private IReadOnlyList<Tensor> _inputs = [];

    internal GradientTargets(Dictionary<BackwardNode, Tensor> pending) => _pending = pending;

    internal void Begin(IReadOnlyList<Tensor> inputs) => _inputs = inputs;

    /// <summary>
    /// The gradient gathered so far for input <paramref name="index"/> of the running node, of that input's shape, which
    /// the function may add its contribution to (and then return <see cref="Added"/>); null when there is none yet (the
    /// function returns a tensor of its own, as usual) or the input needs no gradient.
    /// </summary>
    internal Tensor? Existing(int index)
    {
        Tensor input = _inputs[index];
        if (!input.RequiresGrad)
        {
            return null;
        }

        return input.GradFn is BackwardNode producer
            ? _pending.GetValueOrDefault(producer)
            : Backpropagation.LeafGradientsOnThisThread is { } gathered ? gathered.Of(input) : input.Grad;
    }
}
