using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// A lookup table of vectors (PyTorch <c>nn.Embedding</c>; parameter <c>weight</c> [num, dim], N(0, 1) initialized).
/// The row of <see cref="PaddingIndex"/> starts at zero and receives no gradient.
/// </summary>
public sealed class Embedding : Module<(int[] Ids, int[] Shape), Tensor>
{
    /// <summary>Creates the table.</summary>
    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIndex = null, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numEmbeddings);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(embeddingDim);
        if (paddingIndex is int pi && (pi < 0 || pi >= numEmbeddings))
        {
            throw new ArgumentOutOfRangeException(nameof(paddingIndex), $"The padding index {pi} must be in [0, {numEmbeddings}).");
        }

        random ??= DefaultGenerator.Next();
        PaddingIndex = paddingIndex;
        Tensor w = Tensor.Randn(random, 1f, numEmbeddings, embeddingDim);
        if (paddingIndex is int p)
        {
            w.AsSpan().Slice(p * embeddingDim, embeddingDim).Clear();
        }

        Weight = RegisterParameter("weight", w);
    }

    /// <summary>The padding row, if any.</summary>
    public int? PaddingIndex { get; }

    /// <summary>The table [num, dim].</summary>
    public Tensor Weight { get; }

    /// <summary>Looks up ids laid out with the given shape; the output has shape [..shape, dim].</summary>
    public override Tensor Forward((int[] Ids, int[] Shape) input)
    {
        ArgumentNullException.ThrowIfNull(input.Ids);
        ArgumentNullException.ThrowIfNull(input.Shape);
        Tensor rows = Weight.IndexSelect(input.Ids, PaddingIndex);
        return rows.Reshape([.. input.Shape, Weight.Dims[1]]);
    }

    /// <summary>Looks up a flat list of ids; the output has shape [ids.Length, dim].</summary>
    public Tensor Forward(int[] ids) => Forward((ids, new[] { ids.Length }));
}
