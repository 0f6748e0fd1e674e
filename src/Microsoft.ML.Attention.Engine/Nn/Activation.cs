using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>An elementwise activation as a module, for use in <see cref="Sequential"/>.</summary>
public sealed class Activation : Module<Tensor, Tensor>
{
    /// <summary>Creates the activation.</summary>
    public Activation(ActivationKind kind) => Kind = kind;

    /// <summary>Which function.</summary>
    public ActivationKind Kind { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Apply(Kind, input);

    /// <summary>Applies the function <paramref name="kind"/> to x.</summary>
    public static Tensor Apply(ActivationKind kind, Tensor x) => kind switch
    {
        ActivationKind.Relu => x.Relu(),
        ActivationKind.Gelu => x.Gelu(),
        ActivationKind.Silu => x.Silu(),
        ActivationKind.Sigmoid => x.Sigmoid(),
        ActivationKind.Tanh => x.Tanh(),
        ActivationKind.HardSigmoid => x.HardSigmoid(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown activation."),
    };
}
