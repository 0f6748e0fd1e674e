using System.Buffers.Binary;

namespace Microsoft.ML.Attention.Onnx;

/// <summary>A constant tensor of an ONNX graph (<c>TensorProto</c>): an initializer or a <c>Constant</c>'s value, stored as little-endian raw data.</summary>
internal sealed class OnnxTensor
{
    private OnnxTensor(string name, OnnxDataType type, long[] dims, byte[] raw)
    {
        Name = name;
        Type = type;
        Dims = dims;
        Raw = raw;
    }

    /// <summary>The value's name in the graph.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public OnnxDataType Type { get; }

    /// <summary>The shape.</summary>
    public long[] Dims { get; }

    /// <summary>The elements, little-endian.</summary>
    public byte[] Raw { get; }

    /// <summary>A float tensor of <paramref name="dims"/> holding <paramref name="values"/> (row-major).</summary>
    public static OnnxTensor Floats(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        Check(name, values.Length, dims);
        byte[] raw = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), values[i]);
        }

        return new OnnxTensor(name, OnnxDataType.Float, dims, raw);
    }

    /// <summary>An int64 tensor of <paramref name="dims"/> holding <paramref name="values"/>.</summary>
    public static OnnxTensor Int64s(string name, ReadOnlySpan<long> values, params long[] dims)
    {
        Check(name, values.Length, dims);
        byte[] raw = new byte[values.Length * sizeof(long)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * sizeof(long)), values[i]);
        }

        return new OnnxTensor(name, OnnxDataType.Int64, dims, raw);
    }

    /// <summary>The <c>TensorProto</c> bytes.</summary>
    public byte[] Encode() => ProtoMessage.Encode(o =>
    {
        foreach (long d in Dims)
        {
            ProtoMessage.Varint(o, 1, d);
        }

        ProtoMessage.Varint(o, 2, (int)Type);
        ProtoMessage.Text(o, 8, Name);
        ProtoMessage.Bytes(o, 9, Raw);
    });

    private static void Check(string name, int count, long[] dims)
    {
        long product = 1;
        foreach (long d in dims)
        {
            product *= d;
        }

        if (product != count)
        {
            throw new ArgumentException($"ONNX tensor '{name}': {count} values do not fill shape [{string.Join(", ", dims)}].", nameof(dims));
        }
    }
}
