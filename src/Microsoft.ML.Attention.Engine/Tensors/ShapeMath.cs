namespace Microsoft.ML.Attention.Tensors;

/// <summary>Shape arithmetic shared by the kernels and operations: counts, strides, broadcasting, formatting.</summary>
internal static class ShapeMath
{
    internal static int Count(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            n *= d;
        }

        if (n > int.MaxValue)
        {
            throw new ArgumentException($"Shape {Format(shape)} holds {n} elements, more than a tensor can hold ({int.MaxValue}).");
        }

        return (int)n;
    }

    internal static void Validate(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        foreach (int d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Shape {Format(shape)} has a negative dimension.", nameof(shape));
            }
        }

        Count(shape);
    }

    internal static int NormalizeDim(int dim, int rank)
    {
        int d = dim < 0 ? dim + rank : dim;
        if ((uint)d >= (uint)Math.Max(rank, 1))
        {
            throw new ArgumentOutOfRangeException(nameof(dim), $"Dimension {dim} is out of range for a tensor of rank {rank}.");
        }

        return d;
    }

    internal static string Format(ReadOnlySpan<int> shape)
    {
        return "[" + string.Join(", ", shape.ToArray()) + "]";
    }

    internal static bool SameShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>Product of the sizes before <paramref name="dim"/>, the size at it, and the product after it.</summary>
    internal static (int Outer, int Size, int Inner) Split(int[] shape, int dim)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < dim; i++)
        {
            outer *= shape[i];
        }

        for (int i = dim + 1; i < shape.Length; i++)
        {
            inner *= shape[i];
        }

        return (outer, shape[dim], inner);
    }

    /// <summary>The NumPy broadcast of two shapes, or an exception naming both.</summary>
    internal static int[] Broadcast(int[] a, int[] b, string op)
    {
        int rank = Math.Max(a.Length, b.Length);
        int[] result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
            {
                throw new ArgumentException($"{op}: shapes {Format(a)} and {Format(b)} cannot be broadcast together (dimension {i}: {da} vs {db}).");
            }

            result[i] = da == 1 ? db : da;
        }

        return result;
    }

    /// <summary>Strides of <paramref name="shape"/> laid out against <paramref name="target"/>, 0 where broadcast.</summary>
    internal static int[] BroadcastStrides(int[] shape, int[] target)
    {
        int rank = target.Length;
        int[] strides = new int[rank];
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            int j = i - (rank - shape.Length);
            if (j < 0)
            {
                strides[i] = 0;
                continue;
            }

            strides[i] = shape[j] == 1 && target[i] != 1 ? 0 : stride;
            stride *= shape[j];
        }

        return strides;
    }

    /// <summary>
    /// The same broadcast loop with fewer dimensions: size-1 dimensions dropped and neighbours merged wherever both
    /// operands' strides run on contiguously (or are both broadcast), so that inner rows are as long as possible.
    /// </summary>
    internal static (int[] Shape, int[] StridesA, int[] StridesB) Coalesce(int[] shape, int[] stridesA, int[] stridesB)
    {
        var dims = new List<(int Size, int A, int B)>(shape.Length);
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 1)
            {
                continue;
            }

            if (dims.Count > 0)
            {
                (int size, int a, int b) = dims[^1];
                if (a == stridesA[i] * shape[i] && b == stridesB[i] * shape[i])
                {
                    dims[^1] = (size * shape[i], stridesA[i], stridesB[i]);
                    continue;
                }
            }

            dims.Add((shape[i], stridesA[i], stridesB[i]));
        }

        if (dims.Count == 0)
        {
            dims.Add((1, 1, 1));
        }

        return ([.. dims.Select(d => d.Size)], [.. dims.Select(d => d.A)], [.. dims.Select(d => d.B)]);
    }

    internal static int[] Strides(int[] shape)
    {
        int[] s = new int[shape.Length];
        int stride = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            s[i] = stride;
            stride *= shape[i];
        }

        return s;
    }
}
