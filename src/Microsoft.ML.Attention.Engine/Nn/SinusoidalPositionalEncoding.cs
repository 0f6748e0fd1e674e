using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// Adds the fixed sinusoidal position code of "Attention Is All You Need" to [B, L, dModel]:
/// PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d)). Nothing is learned or saved.
/// </summary>
public sealed class SinusoidalPositionalEncoding : Module<Tensor, Tensor>
{
    private readonly Tensor _table;

    /// <summary>Creates the code for positions 0…<paramref name="maxLength"/>−1.</summary>
    public SinusoidalPositionalEncoding(int dModel, int maxLength = 512)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dModel);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        DModel = dModel;
        MaxLength = maxLength;
        _table = Tensor.ZerosUnscoped([maxLength, dModel]);
        Span<float> t = _table.AsSpan();
        for (int p = 0; p < maxLength; p++)
        {
            for (int i = 0; i < dModel; i += 2)
            {
                double angle = p / Math.Pow(10000.0, (double)i / dModel);
                t[p * dModel + i] = (float)Math.Sin(angle);
                if (i + 1 < dModel)
                {
                    t[p * dModel + i + 1] = (float)Math.Cos(angle);
                }
            }
        }
    }

    /// <summary>Model width.</summary>
    public int DModel { get; }

    /// <summary>The longest sequence encoded.</summary>
    public int MaxLength { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Add(PositionalRows(_table, input, DModel, MaxLength));

    internal static Tensor PositionalRows(Tensor table, Tensor input, int dModel, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 3 || input.Dims[2] != dModel || input.Dims[1] > maxLength)
        {
            throw new ArgumentException($"Positional encoding: input of shape {ShapeMath.Format(input.Dims)} must be [batch, length ≤ {maxLength}, {dModel}].", nameof(input));
        }

        return table.Narrow(0, 0, input.Dims[1]);
    }
}
