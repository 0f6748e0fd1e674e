using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Autograd;

/// <summary>
/// One recorded operation: its inputs and a function that, given the gradient of its output, returns the gradient
/// of each input (null for inputs that need none). Saved tensors live in the function's closure and are freed by
/// <see cref="Release"/> after backward.
/// </summary>
internal sealed class BackwardNode : GradFunction
{
    private readonly string _name;
    private Tensor[] _inputs;
    private Func<Tensor, GradientTargets, Tensor?[]>? _backward;

    internal BackwardNode(string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        _name = name;
        _inputs = inputs;
        _backward = (g, _) => backward(g);
    }

    /// <summary>A node whose function may add gradients into the ones already gathered (see <see cref="GradientTargets"/>).</summary>
    internal BackwardNode(string name, Tensor[] inputs, Func<Tensor, GradientTargets, Tensor?[]> backward)
    {
        _name = name;
        _inputs = inputs;
        _backward = backward;
    }

    public override string Name => _name;

    public override IReadOnlyList<Tensor> Inputs => _inputs;

    internal bool IsReleased => _backward is null;

    internal Tensor?[] Compute(Tensor gradOutput, GradientTargets targets)
    {
        Func<Tensor, GradientTargets, Tensor?[]> backward = _backward ?? throw new InvalidOperationException(
            $"Trying to run backward through '{_name}' a second time: its saved tensors were freed after the first backward.");
        targets.Begin(_inputs);
        return backward(gradOutput, targets);
    }

    internal override void Release()
    {
        _backward = null;
        _inputs = [];
    }
}
