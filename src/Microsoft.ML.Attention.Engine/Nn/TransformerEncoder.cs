using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// A stack of <see cref="TransformerEncoderLayer"/>s (PyTorch <c>nn.TransformerEncoder</c> names: <c>layers.N.…</c>,
/// optional final <c>norm</c>), able to return the attention weights of every layer and head.
/// </summary>
public sealed class TransformerEncoder : Module
{
    private readonly TransformerEncoderLayer[] _layers;

    /// <summary>Creates <paramref name="numLayers"/> layers from <paramref name="createLayer"/> (called with the layer index).</summary>
    public TransformerEncoder(int numLayers, Func<int, TransformerEncoderLayer> createLayer, LayerNorm? norm = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numLayers);
        ArgumentNullException.ThrowIfNull(createLayer);
        _layers = new TransformerEncoderLayer[numLayers];
        var list = RegisterModule("layers", new ModuleList());
        for (int i = 0; i < numLayers; i++)
        {
            _layers[i] = list.Add(createLayer(i));
        }

        Norm = norm is null ? null : RegisterModule("norm", norm);
    }

    /// <summary>The layers, first to last.</summary>
    public IReadOnlyList<TransformerEncoderLayer> Layers => _layers;

    /// <summary>The final layer norm (used with pre-norm layers), or null.</summary>
    public LayerNorm? Norm { get; }

    /// <summary>Encodes <paramref name="src"/> [B, L, dModel] through every layer.</summary>
    /// <param name="src">The sequence.</param>
    /// <param name="keyPaddingMask">[B, L]; non-zero = padding.</param>
    /// <param name="blockMask">Broadcastable to [B, H, L, L]; non-zero = blocked.</param>
    /// <param name="causal">Position i sees only positions j ≤ i.</param>
    /// <param name="weights">Return every layer's attention weights, per head or averaged.</param>
    public TransformerEncoderOutput Forward(Tensor src, Tensor? keyPaddingMask = null, Tensor? blockMask = null, bool causal = false, AttentionWeights weights = AttentionWeights.None)
    {
        ArgumentNullException.ThrowIfNull(src);
        Tensor x = src;
        List<Tensor>? all = weights == AttentionWeights.None ? null : new(_layers.Length);
        foreach (TransformerEncoderLayer layer in _layers)
        {
            AttentionResult r = layer.Forward(x, keyPaddingMask, blockMask, causal, weights);
            x = r.Output;
            all?.Add(r.Weights!);
        }

        if (Norm is not null)
        {
            x = Norm.Forward(x);
        }

        return new TransformerEncoderOutput(x, all);
    }
}
