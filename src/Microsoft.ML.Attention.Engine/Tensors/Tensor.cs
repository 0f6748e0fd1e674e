using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// A dense, row-major float32 tensor of any rank. Storage is contiguous; reshapes and slices along the first
/// dimension are views over the same buffer, other layout changes copy. Differentiable operations on tensors live
/// in <c>Microsoft.ML.Attention.Autograd.Ops</c>; this type holds the data, its shape and the autograd metadata.
/// </summary>
public sealed class Tensor : IDisposable
{
    private readonly TensorStorage _storage;
    private readonly int _offset;
    private readonly int[] _shape;
    private readonly bool _ownsStorage;
    private bool _requiresGrad;

    internal Tensor(TensorStorage storage, int offset, int[] shape, bool ownsStorage)
    {
        _storage = storage;
        _offset = offset;
        _shape = shape;
        _ownsStorage = ownsStorage;
        Length = ShapeMath.Count(shape);
        if (storage.Pooled && ownsStorage)
        {
            TensorScope.Current?.Track(this);
        }
    }

    /// <summary>The sizes of the dimensions (a copy).</summary>
    public int[] Shape => (int[])_shape.Clone();

    /// <summary>The sizes of the dimensions, without copying. Callers must not write to it.</summary>
    internal int[] Dims => _shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of elements.</summary>
    public int Length { get; }

    /// <summary>The size of dimension <paramref name="dim"/>; negative values count from the end.</summary>
    public int Size(int dim) => _shape[ShapeMath.NormalizeDim(dim, _shape.Length)];

    /// <summary>Whether operations on this tensor are recorded for backward. Only leaves may be set.</summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (!value && GradFn is not null)
            {
                throw new InvalidOperationException("RequiresGrad can only be cleared on a leaf tensor; use Detach() on the output of an operation.");
            }

            _requiresGrad = value;
        }
    }

    /// <summary>The accumulated gradient of a leaf after <c>Backward()</c>, or null.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The operation that produced this tensor while gradients were recorded, or null for a leaf.</summary>
    public GradFunction? GradFn { get; private set; }

    /// <summary>True when the tensor was not produced by a recorded operation.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>Whether the tensor's buffer has been returned (it was disposed).</summary>
    public bool IsDisposed => _storage.IsDisposed;

    internal float[] Buffer => _storage.Array;

    /// <summary>The elements, in row-major order.</summary>
    public Span<float> AsSpan() => new(_storage.Array, _offset, Length);

    /// <summary>Copies the elements into a new array, in row-major order.</summary>
    public float[] ToArray() => AsSpan().ToArray();

    /// <summary>The value of a one-element tensor.</summary>
    public float Item()
    {
        if (Length != 1)
        {
            throw new InvalidOperationException($"Item() needs a tensor with one element; this one has shape {ShapeMath.Format(_shape)}.");
        }

        return _storage.Array[_offset];
    }

    /// <summary>Gets or sets one element by its full index.</summary>
    [IndexerName("At")]
    public float this[params int[] index]
    {
        get => _storage.Array[_offset + FlatIndex(index)];
        set => _storage.Array[_offset + FlatIndex(index)] = value;
    }

    internal void SetGradFn(GradFunction fn)
    {
        GradFn = fn;
        _requiresGrad = true;
    }

    /// <summary>A new tensor of the given shape, filled with zeros.</summary>
    public static Tensor Zeros(params int[] shape)
    {
        Tensor t = Empty(shape);
        t.AsSpan().Clear();
        return t;
    }

    /// <summary>A new tensor of the given shape, filled with ones.</summary>
    public static Tensor Ones(params int[] shape) => Full(1f, shape);

    /// <summary>A new tensor of the given shape, filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        Tensor t = Empty(shape);
        t.AsSpan().Fill(value);
        return t;
    }

    /// <summary>A one-element tensor of rank 0.</summary>
    public static Tensor Scalar(float value) => Full(value, []);

    /// <summary>A new tensor holding a copy of <paramref name="data"/> with the given shape.</summary>
    /// <exception cref="ArgumentException">The shape's element count differs from the data's length.</exception>
    public static Tensor FromArray(ReadOnlySpan<float> data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (ShapeMath.Count(shape) != data.Length)
        {
            throw new ArgumentException($"Shape {ShapeMath.Format(shape)} holds {ShapeMath.Count(shape)} elements but the data has {data.Length}.", nameof(shape));
        }

        Tensor t = Empty(shape);
        data.CopyTo(t.AsSpan());
        return t;
    }

    /// <summary>Values 0, 1, ..., n-1 as a tensor of shape [n].</summary>
    public static Tensor Arange(int n)
    {
        Tensor t = Empty([n]);
        Span<float> s = t.AsSpan();
        for (int i = 0; i < n; i++)
        {
            s[i] = i;
        }

        return t;
    }

    /// <summary>Samples from the standard normal distribution scaled by <paramref name="std"/>, reproducibly for a given generator.</summary>
    public static Tensor Randn(Random random, float std, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(random);
        Tensor t = Empty(shape);
        Span<float> s = t.AsSpan();
        for (int i = 0; i < s.Length; i += 2)
        {
            // Box-Muller: two independent normals per pair of uniforms.
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            s[i] = (float)(r * Math.Cos(2 * Math.PI * u2)) * std;
            if (i + 1 < s.Length)
            {
                s[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2)) * std;
            }
        }

        return t;
    }

    /// <summary>Samples uniformly from [<paramref name="low"/>, <paramref name="high"/>), reproducibly for a given generator.</summary>
    public static Tensor Uniform(Random random, float low, float high, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(random);
        Tensor t = Empty(shape);
        Span<float> s = t.AsSpan();
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = low + (float)random.NextDouble() * (high - low);
        }

        return t;
    }

    /// <summary>
    /// A tensor whose contents are undefined (as <c>torch.empty</c>): write every element before reading it. Inside a
    /// <see cref="TensorScope"/> its buffer comes from the pool and goes back when the scope ends.
    /// </summary>
    public static Tensor Empty(params int[] shape)
    {
        ShapeMath.Validate(shape);
        int n = ShapeMath.Count(shape);
        bool pooled = TensorScope.Current is not null;
        float[] a = pooled ? BufferPool.Rent(n) : new float[n];
        return new Tensor(new TensorStorage(a, pooled), 0, (int[])shape.Clone(), ownsStorage: true);
    }

    /// <summary>A zero tensor that lives outside any scope (gradients of parameters, optimizer state).</summary>
    internal static Tensor ZerosUnscoped(int[] shape)
    {
        ShapeMath.Validate(shape);
        return new Tensor(new TensorStorage(new float[ShapeMath.Count(shape)], pooled: false), 0, (int[])shape.Clone(), ownsStorage: true);
    }

    /// <summary>A view of the same elements with another shape of the same element count.</summary>
    internal Tensor View(int[] shape) => new(_storage, _offset, shape, ownsStorage: false);

    /// <summary>A view of rows [<paramref name="start"/>, start + <paramref name="count"/>) of the first dimension.</summary>
    internal Tensor ViewRows(int start, int count)
    {
        int[] shape = (int[])_shape.Clone();
        int rowSize = shape.Length == 0 ? 1 : Length / Math.Max(1, shape[0]);
        shape[0] = count;
        return new Tensor(_storage, _offset + start * rowSize, shape, ownsStorage: false);
    }

    /// <summary>A tensor sharing this one's data that records no history and needs no gradient.</summary>
    public Tensor Detach() => new(_storage, _offset, _shape, ownsStorage: false);

    /// <summary>A contiguous copy with no history.</summary>
    public Tensor Clone()
    {
        Tensor t = Empty(_shape);
        AsSpan().CopyTo(t.AsSpan());
        return t;
    }

    /// <summary>Keeps this tensor alive past the innermost <see cref="TensorScope"/> (it moves to the enclosing one, if any).</summary>
    public Tensor MoveToOuterScope()
    {
        TensorScope.Current?.Detach(this);
        return this;
    }

    /// <summary>Returns the buffer to the pool if this tensor owns it; views only drop their graph.</summary>
    public void Dispose()
    {
        GradFn?.Release();
        GradFn = null;
        if (_ownsStorage)
        {
            _storage.Release();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int FlatIndex(int[] index)
    {
        if (index.Length != _shape.Length)
        {
            throw new ArgumentException($"An index of rank {index.Length} was given for a tensor of shape {ShapeMath.Format(_shape)}.", nameof(index));
        }

        int flat = 0;
        for (int d = 0; d < index.Length; d++)
        {
            int i = index[d];
            if ((uint)i >= (uint)_shape[d])
            {
                throw new IndexOutOfRangeException($"Index {i} is out of range for dimension {d} of size {_shape[d]} (shape {ShapeMath.Format(_shape)}).");
            }

            flat = flat * _shape[d] + i;
        }

        return flat;
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("Tensor").Append(ShapeMath.Format(_shape));
        if (_storage.IsDisposed)
        {
            return sb.Append(" (disposed)").ToString();
        }

        sb.Append(" [");
        Span<float> s = AsSpan();
        int n = Math.Min(s.Length, 8);
        for (int i = 0; i < n; i++)
        {
            sb.Append(i == 0 ? "" : ", ").Append(s[i].ToString("G6", CultureInfo.InvariantCulture));
        }

        sb.Append(s.Length > n ? ", ...]" : "]");
        if (GradFn is not null)
        {
            sb.Append(" grad_fn=").Append(GradFn.Name);
        }

        return sb.ToString();
    }
}
