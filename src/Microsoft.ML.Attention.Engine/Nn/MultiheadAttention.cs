using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Nn;

/// <summary>
/// Multi-head attention with PyTorch <c>nn.MultiheadAttention</c> semantics and parameter names, batch-first:
/// query [B, L, E], key [B, S, kdim], value [B, S, vdim] → output [B, L, E] and, on request, the weights.
/// Parameters: <c>in_proj_weight</c> [3E, E] (or <c>q_proj_weight</c>, <c>k_proj_weight</c>, <c>v_proj_weight</c>
/// when kdim or vdim differ from E), <c>in_proj_bias</c> [3E], <c>out_proj.weight</c>, <c>out_proj.bias</c>.
/// </summary>
/// <remarks>
/// Masks follow the pack's one convention: non-zero = blocked (PyTorch MHA's boolean reading). Additive (float)
/// masks go to <c>additiveMask</c>, since the engine's tensors carry no boolean type to tell the two apart.
/// Unlike PyTorch, <c>causal</c> applies the causal mask itself rather than being a hint, and the weights returned
/// in training mode are those before dropout. With <c>needWeights: false</c> the fused kernel runs.
/// </remarks>
public sealed class MultiheadAttention : Module
{
    private readonly Random _random;

    /// <summary>Creates the layer with PyTorch's initialization (Xavier-uniform input projections, zero biases).</summary>
    /// <param name="embedDim">Model width E; split evenly across heads.</param>
    /// <param name="numHeads">Number of heads; must divide <paramref name="embedDim"/>.</param>
    /// <param name="dropout">Dropout on the attention weights in training mode.</param>
    /// <param name="bias">Biases on the input and output projections.</param>
    /// <param name="kdim">Key width (default E), for cross-attention.</param>
    /// <param name="vdim">Value width (default E), for cross-attention.</param>
    /// <param name="random">Initialization and dropout generator; null takes <see cref="DefaultGenerator.Next"/>.</param>
    public MultiheadAttention(int embedDim, int numHeads, float dropout = 0f, bool bias = true, int? kdim = null, int? vdim = null, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(embedDim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numHeads);
        if (embedDim % numHeads != 0)
        {
            throw new ArgumentException($"embedDim ({embedDim}) must be divisible by numHeads ({numHeads}).", nameof(numHeads));
        }

        if (dropout < 0f || dropout >= 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(dropout), $"Dropout must be in [0, 1); got {dropout}.");
        }

        _random = random ?? DefaultGenerator.Next();
        EmbedDim = embedDim;
        NumHeads = numHeads;
        KeyDim = kdim ?? embedDim;
        ValueDim = vdim ?? embedDim;
        Dropout = dropout;
        if (KeyDim == embedDim && ValueDim == embedDim)
        {
            InProjWeight = RegisterParameter("in_proj_weight", Init.XavierUniform(_random, embedDim, 3 * embedDim, 1f, 3 * embedDim, embedDim));
        }
        else
        {
            QProjWeight = RegisterParameter("q_proj_weight", Init.XavierUniform(_random, embedDim, embedDim, 1f, embedDim, embedDim));
            KProjWeight = RegisterParameter("k_proj_weight", Init.XavierUniform(_random, KeyDim, embedDim, 1f, embedDim, KeyDim));
            VProjWeight = RegisterParameter("v_proj_weight", Init.XavierUniform(_random, ValueDim, embedDim, 1f, embedDim, ValueDim));
        }

        InProjBias = bias ? RegisterParameter("in_proj_bias", Tensor.Zeros(3 * embedDim)) : null;
        OutProj = RegisterModule("out_proj", new Linear(embedDim, embedDim, bias, _random));
        OutProj.Bias?.AsSpan().Clear();
    }

    /// <summary>Model width E.</summary>
    public int EmbedDim { get; }

    /// <summary>Number of heads.</summary>
    public int NumHeads { get; }

    /// <summary>Key width.</summary>
    public int KeyDim { get; }

    /// <summary>Value width.</summary>
    public int ValueDim { get; }

    /// <summary>Dropout on the attention weights in training mode.</summary>
    public float Dropout { get; }

    /// <summary>Packed query/key/value projection [3E, E], when kdim = vdim = E; otherwise null.</summary>
    public Tensor? InProjWeight { get; }

    /// <summary>Query projection [E, E] when kdim or vdim differ from E.</summary>
    public Tensor? QProjWeight { get; }

    /// <summary>Key projection [E, kdim] when kdim or vdim differ from E.</summary>
    public Tensor? KProjWeight { get; }

    /// <summary>Value projection [E, vdim] when kdim or vdim differ from E.</summary>
    public Tensor? VProjWeight { get; }

    /// <summary>Bias of the three input projections [3E], or null.</summary>
    public Tensor? InProjBias { get; }

    /// <summary>The output projection.</summary>
    public Linear OutProj { get; }

    /// <summary>Self-attention: <paramref name="x"/> is query, key and value.</summary>
    public AttentionResult Forward(Tensor x, Tensor? keyPaddingMask = null, bool needWeights = true, Tensor? blockMask = null, Tensor? additiveMask = null, bool averageAttnWeights = true, bool causal = false) =>
        Forward(x, x, x, keyPaddingMask, needWeights, blockMask, additiveMask, averageAttnWeights, causal);

    /// <summary>Attends from <paramref name="query"/> over <paramref name="key"/>/<paramref name="value"/>.</summary>
    /// <param name="query">[B, L, E].</param>
    /// <param name="key">[B, S, kdim].</param>
    /// <param name="value">[B, S, vdim].</param>
    /// <param name="keyPaddingMask">[B, S]; non-zero = padding, never attended.</param>
    /// <param name="needWeights">Return the weights (and take the materialized path).</param>
    /// <param name="blockMask">[L, S], [B·H, L, S] or [B, H, L, S]; non-zero = blocked.</param>
    /// <param name="additiveMask">Same shapes; added to the scores.</param>
    /// <param name="averageAttnWeights">Weights averaged over heads [B, L, S], or per head [B, H, L, S].</param>
    /// <param name="causal">Query i sees only keys j ≤ i.</param>
    public AttentionResult Forward(
        Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask = null, bool needWeights = true,
        Tensor? blockMask = null, Tensor? additiveMask = null, bool averageAttnWeights = true, bool causal = false)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        CheckInput(query, EmbedDim, nameof(query));
        CheckInput(key, KeyDim, nameof(key));
        CheckInput(value, ValueDim, nameof(value));
        int b = query.Dims[0], l = query.Dims[1], s = key.Dims[1];
        if (key.Dims[0] != b || value.Dims[0] != b || value.Dims[1] != s)
        {
            throw new ArgumentException($"MultiheadAttention: query {ShapeMath.Format(query.Dims)}, key {ShapeMath.Format(key.Dims)} and value {ShapeMath.Format(value.Dims)} must share the batch size, and key and value the length.", nameof(key));
        }

        blockMask = PerHead(blockMask, b, l, s, nameof(blockMask));
        additiveMask = PerHead(additiveMask, b, l, s, nameof(additiveMask));
        float p = IsTraining ? Dropout : 0f;
        AttentionWeights mode = !needWeights ? AttentionWeights.None : averageAttnWeights ? AttentionWeights.Averaged : AttentionWeights.PerHead;
        AttentionResult attended;
        int e = EmbedDim;
        if (InProjWeight is not null && ReferenceEquals(query, key) && ReferenceEquals(key, value))
        {
            Tensor qkv = query.Linear(InProjWeight, InProjBias);
            attended = Ops.PackedSelfAttention(qkv, NumHeads, blockMask, additiveMask, keyPaddingMask, causal, null, p, _random, mode);
        }
        else
        {
            Tensor q = query.Linear(InProjWeight?.Narrow(0, 0, e) ?? QProjWeight!, InProjBias?.Narrow(0, 0, e));
            Tensor k = key.Linear(InProjWeight?.Narrow(0, e, e) ?? KProjWeight!, InProjBias?.Narrow(0, e, e));
            Tensor v = value.Linear(InProjWeight?.Narrow(0, 2 * e, e) ?? VProjWeight!, InProjBias?.Narrow(0, 2 * e, e));
            attended = Ops.PackedHeadAttention(q, k, v, NumHeads, blockMask, additiveMask, keyPaddingMask, causal, null, p, _random, mode);
        }

        return new AttentionResult(OutProj.Forward(attended.Output), attended.Weights);
    }

    private static void CheckInput(Tensor x, int width, string name)
    {
        if (x.Rank != 3 || x.Dims[2] != width)
        {
            throw new ArgumentException($"MultiheadAttention: {name} has shape {ShapeMath.Format(x.Dims)}; expected [batch, length, {width}] (batch-first).", name);
        }
    }

    /// <summary>PyTorch's [B·H, L, S] mask form becomes [B, H, L, S]; [L, S] and [B, H, L, S] pass through.</summary>
    private Tensor? PerHead(Tensor? mask, int b, int l, int s, string name)
    {
        if (mask is null || mask.Rank != 3)
        {
            return mask;
        }

        if (mask.Dims[0] != b * NumHeads || mask.Dims[1] != l || mask.Dims[2] != s)
        {
            throw new ArgumentException($"MultiheadAttention: a 3-D {name} must have shape [batch·heads, queries, keys] = [{b * NumHeads}, {l}, {s}]; got {ShapeMath.Format(mask.Dims)}.", name);
        }

        return mask.Reshape(b, NumHeads, l, s);
    }
}
