using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Autograd;

public static partial class Ops
{
    /// <summary>The same elements with another shape (one size may be -1 and is inferred). A view: no copy.</summary>
    public static Tensor Reshape(this Tensor x, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(shape);
        int[] s = (int[])shape.Clone();
        int infer = Array.IndexOf(s, -1);
        if (infer >= 0)
        {
            int known = 1;
            for (int i = 0; i < s.Length; i++)
            {
                known *= i == infer ? 1 : s[i];
            }

            s[infer] = known == 0 ? 0 : x.Length / known;
        }

        ShapeMath.Validate(s);
        if (ShapeMath.Count(s) != x.Length)
        {
            throw new ArgumentException($"Reshape: shape {ShapeMath.Format(shape)} does not fit a tensor of shape {ShapeMath.Format(x.Dims)} ({x.Length} elements).", nameof(shape));
        }

        Tensor y = x.View(s);
        int[] original = x.Dims;
        return Recording(x) ? Record(y, nameof(Reshape), [x], g => [g.View(original)]) : y;
    }

    /// <summary>Inserts a dimension of size 1 at <paramref name="dim"/>.</summary>
    public static Tensor Unsqueeze(this Tensor x, int dim)
    {
        ArgumentNullException.ThrowIfNull(x);
        int d = dim < 0 ? dim + x.Rank + 1 : dim;
        var shape = new List<int>(x.Dims);
        shape.Insert(d, 1);
        return x.Reshape([.. shape]);
    }

    /// <summary>Swaps two dimensions (copies the data).</summary>
    public static Tensor Transpose(this Tensor x, int dim0, int dim1)
    {
        ArgumentNullException.ThrowIfNull(x);
        int[] perm = new int[x.Rank];
        for (int i = 0; i < perm.Length; i++)
        {
            perm[i] = i;
        }

        int a = ShapeMath.NormalizeDim(dim0, x.Rank), b = ShapeMath.NormalizeDim(dim1, x.Rank);
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return x.Permute(perm);
    }

    /// <summary>Reorders the dimensions: output dimension i is input dimension <paramref name="perm"/>[i] (copies the data).</summary>
    public static Tensor Permute(this Tensor x, params int[] perm)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(perm);
        if (perm.Length != x.Rank || perm.Distinct().Count() != perm.Length || perm.Any(p => p < 0 || p >= x.Rank))
        {
            throw new ArgumentException($"Permute: [{string.Join(", ", perm)}] is not a permutation of the {x.Rank} dimensions of shape {ShapeMath.Format(x.Dims)}.", nameof(perm));
        }

        Tensor y = PermuteData(x, perm);
        if (!Recording(x))
        {
            return y;
        }

        int[] inverse = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++)
        {
            inverse[perm[i]] = i;
        }

        return Record(y, nameof(Permute), [x], g => [PermuteData(g, inverse)]);
    }

    internal static Tensor PermuteData(Tensor x, int[] perm)
    {
        int rank = x.Rank;
        int[] inShape = x.Dims;
        int[] outShape = new int[rank];
        int[] inStrides = ShapeMath.Strides(inShape);
        int[] srcStrides = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            outShape[i] = inShape[perm[i]];
            srcStrides[i] = inStrides[perm[i]];
        }

        Tensor y = Tensor.Empty(outShape);
        if (y.Length == 0)
        {
            return y;
        }

        ReadOnlySpan<float> src = x.AsSpan();
        Span<float> dst = y.AsSpan();
        int inner = outShape[rank - 1];
        int innerStride = srcStrides[rank - 1];
        int[] zero = new int[rank];
        int[] idx = new int[rank];
        int off = 0;
        int rows = y.Length / inner;
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = dst.Slice(r * inner, inner);
            if (innerStride == 1)
            {
                src.Slice(off, inner).CopyTo(row);
            }
            else
            {
                for (int j = 0, s = off; j < inner; j++, s += innerStride)
                {
                    row[j] = src[s];
                }
            }

            for (int d = rank - 2; d >= 0; d--)
            {
                idx[d]++;
                off += srcStrides[d];
                if (idx[d] < outShape[d])
                {
                    break;
                }

                off -= srcStrides[d] * outShape[d];
                idx[d] = 0;
            }
        }

        return y;
    }

    /// <summary>
    /// Elements [<paramref name="start"/>, start + <paramref name="length"/>) along <paramref name="dim"/>; along the
    /// first dimension the result is a view sharing the input's storage, elsewhere a copy.
    /// </summary>
    public static Tensor Narrow(this Tensor x, int dim, int start, int length)
    {
        ArgumentNullException.ThrowIfNull(x);
        int d = ShapeMath.NormalizeDim(dim, x.Rank);
        int size = x.Dims[d];
        if (start < 0 || length < 0 || start + length > size)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"Narrow: [{start}, {start + length}) is outside dimension {d} of size {size} (shape {ShapeMath.Format(x.Dims)}).");
        }

        (int outer, _, int inner) = ShapeMath.Split(x.Dims, d);
        int[] shape = (int[])x.Dims.Clone();
        shape[d] = length;
        Tensor y;
        if (d == 0)
        {
            // Rows of the first dimension are contiguous: a view, no copy.
            y = x.ViewRows(start, length);
        }
        else
        {
            y = Tensor.Empty(shape);
            TensorMath.CopyBlocks(x.AsSpan(), size * inner, start * inner, y.AsSpan(), length * inner, 0, length * inner, outer);
        }

        if (!Recording(x))
        {
            return y;
        }

        return Record(y, nameof(Narrow), [x], (g, targets) =>
        {
            // Into the gradient already gathered when there is one (a decoder reads one step of its inputs at a time);
            // otherwise zeros around the slice.
            Tensor? into = targets.Existing(0);
            Tensor gx = into ?? Tensor.Zeros(x.Dims);
            TensorMath.CopyBlocks(g.AsSpan(), length * inner, 0, gx.AsSpan(), size * inner, start * inner, length * inner, outer, add: into is not null);
            return [into is null ? gx : GradientTargets.Added];
        });
    }

    /// <summary>Joins tensors along an existing dimension; all other sizes must match.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int dim)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0)
        {
            throw new ArgumentException("Concat needs at least one tensor.", nameof(tensors));
        }

        Tensor first = tensors[0];
        int d = ShapeMath.NormalizeDim(dim, first.Rank);
        int total = 0;
        foreach (Tensor t in tensors)
        {
            if (t.Rank != first.Rank || Enumerable.Range(0, t.Rank).Any(i => i != d && t.Dims[i] != first.Dims[i]))
            {
                throw new ArgumentException($"Concat along dimension {d}: shape {ShapeMath.Format(t.Dims)} does not match {ShapeMath.Format(first.Dims)} outside that dimension.", nameof(tensors));
            }

            total += t.Dims[d];
        }

        int[] shape = (int[])first.Dims.Clone();
        shape[d] = total;
        (int outer, _, int inner) = ShapeMath.Split(shape, d);
        Tensor y = Tensor.Empty(shape);
        int offset = 0;
        foreach (Tensor t in tensors)
        {
            int len = t.Dims[d] * inner;
            TensorMath.CopyBlocks(t.AsSpan(), len, 0, y.AsSpan(), total * inner, offset, len, outer);
            offset += len;
        }

        bool record = GradMode.IsEnabled && tensors.Any(t => t.RequiresGrad);
        if (!record)
        {
            return y;
        }

        Tensor[] inputs = [.. tensors];
        return Record(y, nameof(Concat), inputs, (g, targets) =>
        {
            var grads = new Tensor?[inputs.Length];
            int start = 0;
            for (int i = 0; i < inputs.Length; i++)
            {
                int size = inputs[i].Dims[d];
                if (inputs[i].RequiresGrad)
                {
                    // Each input's slice of the gradient, added into the one already gathered for it when there is one.
                    Tensor? into = targets.Existing(i);
                    Tensor gi = into ?? Tensor.Empty(inputs[i].Dims);
                    TensorMath.CopyBlocks(g.AsSpan(), total * inner, start * inner, gi.AsSpan(), size * inner, 0, size * inner, outer, add: into is not null);
                    grads[i] = into is null ? gi : GradientTargets.Added;
                }

                start += size;
            }

            return grads;
        });
    }

    /// <summary>Joins tensors of equal shape along a new dimension.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        return Concat([.. tensors.Select(t => t.Unsqueeze(dim))], dim);
    }

    /// <summary>Splits along <paramref name="dim"/> into pieces of the given sizes.</summary>
    public static Tensor[] Split(this Tensor x, int[] sizes, int dim)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Sum() != x.Size(dim))
        {
            throw new ArgumentException($"Split: sizes [{string.Join(", ", sizes)}] do not add up to dimension {dim} of shape {ShapeMath.Format(x.Dims)}.", nameof(sizes));
        }

        var parts = new Tensor[sizes.Length];
        int start = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            parts[i] = x.Narrow(dim, start, sizes[i]);
            start += sizes[i];
        }

        return parts;
    }
}
