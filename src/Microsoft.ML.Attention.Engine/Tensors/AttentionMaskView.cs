namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// A mask tensor read as if broadcast to [B, H, L, S] (right-aligned, size-1 dimensions repeat), through strides,
/// without materializing the broadcast.
/// </summary>
internal readonly struct AttentionMaskView
{
    private readonly Tensor? _tensor;
    private readonly int _sb, _sh, _si, _sj;

    private AttentionMaskView(Tensor tensor, int sb, int sh, int si, int sj)
    {
        _tensor = tensor;
        _sb = sb;
        _sh = sh;
        _si = si;
        _sj = sj;
    }

    internal bool IsPresent => _tensor is not null;

    /// <summary>True when the mask is the same for every query row (a key padding mask), so a row test is enough.</summary>
    internal bool IsRowInvariant => _si == 0;

    /// <summary>Reads a mask broadcastable to [B, H, L, S].</summary>
    /// <exception cref="ArgumentException">The mask does not broadcast to that shape.</exception>
    internal static AttentionMaskView Broadcast(Tensor? mask, int b, int h, int l, int s, string name)
    {
        if (mask is null)
        {
            return default;
        }

        int[] target = [b, h, l, s];
        int[] dims = mask.Dims;
        if (dims.Length > 4 || dims.Length < 1)
        {
            throw new ArgumentException($"{name} of shape {ShapeMath.Format(dims)} must broadcast to [batch, heads, queries, keys] = {ShapeMath.Format(target)}.", name);
        }

        int[] strides = new int[4];
        int stride = 1;
        for (int d = dims.Length - 1; d >= 0; d--)
        {
            int t = 4 - dims.Length + d;
            if (dims[d] != target[t] && dims[d] != 1)
            {
                throw new ArgumentException($"{name} of shape {ShapeMath.Format(dims)} must broadcast to [batch, heads, queries, keys] = {ShapeMath.Format(target)}.", name);
            }

            strides[t] = dims[d] == 1 ? 0 : stride;
            stride *= dims[d];
        }

        return new AttentionMaskView(mask, strides[0], strides[1], strides[2], strides[3]);
    }

    /// <summary>Reads a key padding mask of shape [B, S].</summary>
    internal static AttentionMaskView KeyPadding(Tensor? mask, int b, int s, string name)
    {
        if (mask is null)
        {
            return default;
        }

        if (mask.Rank != 2 || mask.Dims[0] != b || mask.Dims[1] != s)
        {
            throw new ArgumentException($"{name} has shape {ShapeMath.Format(mask.Dims)}; expected [batch, keys] = [{b}, {s}].", name);
        }

        return new AttentionMaskView(mask, s, 0, 0, 1);
    }

    /// <summary>The mask values of keys [j0, j0 + count) for query row i of head (b, h).</summary>
    internal ReadOnlySpan<float> Row(int b, int h, int i, int j0, int count, Span<float> scratch)
    {
        ReadOnlySpan<float> data = _tensor!.AsSpan();
        int start = b * _sb + h * _sh + i * _si + j0 * _sj;
        if (_sj == 1)
        {
            return data.Slice(start, count);
        }

        scratch[..count].Fill(data[start]);
        return scratch[..count];
    }
}
