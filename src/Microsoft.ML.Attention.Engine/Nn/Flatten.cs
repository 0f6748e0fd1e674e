using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>Flattens every dimension after the first: [N, ...] → [N, ∏...] (a view).</summary>
public sealed class Flatten : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Reshape(input.Size(0), -1);
    }
}
