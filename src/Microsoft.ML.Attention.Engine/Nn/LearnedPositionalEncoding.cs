using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>Adds a learned vector per position (<c>weight</c> [maxLength, dModel], initialized N(0, 0.02²) as in BERT) to [B, L, dModel].</summary>
public sealed class LearnedPositionalEncoding : Module<Tensor, Tensor>
{
    /// <summary>Creates the table for positions 0…<paramref name="maxLength"/>−1.</summary>
    public LearnedPositionalEncoding(int maxLength, int dModel, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dModel);
        MaxLength = maxLength;
        DModel = dModel;
        Weight = RegisterParameter("weight", Tensor.Randn(random ?? DefaultGenerator.Next(), 0.02f, maxLength, dModel));
    }

    /// <summary>The longest sequence encoded.</summary>
    public int MaxLength { get; }

    /// <summary>Model width.</summary>
    public int DModel { get; }

    /// <summary>The position table.</summary>
    public Tensor Weight { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Add(SinusoidalPositionalEncoding.PositionalRows(Weight, input, DModel, MaxLength));
}
