using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>Inverted dropout, active only in training mode; its masks come from a seeded generator.</summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    private readonly Random _random;

    /// <summary>Creates the layer.</summary>
    public Dropout(float p = 0.5f, Random? random = null)
    {
        if (p < 0f || p >= 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(p), $"Dropout probability must be in [0, 1); got {p}.");
        }

        P = p;
        _random = random ?? new Random(0);
    }

    /// <summary>The drop probability.</summary>
    public float P { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Dropout(P, IsTraining, _random);
}
