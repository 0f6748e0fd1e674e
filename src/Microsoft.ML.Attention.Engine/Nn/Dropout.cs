using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>Inverted dropout, active only in training mode; its masks come from a seeded generator.</summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    private readonly Random _random;

    /// <summary>Creates the layer; its masks are drawn from <paramref name="random"/> (null: <see cref="DefaultGenerator.Next"/>, so no two layers share masks).</summary>
    /// <param name="p">The drop probability, in [0, 1).</param>
    /// <param name="random">The mask generator.</param>
    public Dropout(float p = 0.5f, Random? random = null)
    {
        if (p < 0f || p >= 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(p), $"Dropout probability must be in [0, 1); got {p}.");
        }

        P = p;
        _random = random ?? DefaultGenerator.Next();
    }

    /// <summary>The drop probability.</summary>
    public float P { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Dropout(P, IsTraining, _random);
}
