using Google.Protobuf;

namespace Microsoft.ML.Attention.Onnx;

/// <summary>An attribute of an ONNX node (<c>AttributeProto</c>): an integer, a float, a string, a list of integers or a tensor.</summary>
internal sealed class OnnxAttribute
{
    private readonly Action<CodedOutputStream> _value;

    private OnnxAttribute(string name, Action<CodedOutputStream> value)
    {
        Name = name;
        _value = value;
    }

    /// <summary>The attribute's name.</summary>
    public string Name { get; }

    /// <summary>An INT attribute.</summary>
    public static OnnxAttribute Int(string name, long value) => new(name, o =>
    {
        ProtoMessage.Varint(o, 3, value);
        ProtoMessage.Varint(o, 20, 2);
    });

    /// <summary>A FLOAT attribute.</summary>
    public static OnnxAttribute Float(string name, float value) => new(name, o =>
    {
        ProtoMessage.Float(o, 2, value);
        ProtoMessage.Varint(o, 20, 1);
    });

    /// <summary>A STRING attribute (UTF-8).</summary>
    public static OnnxAttribute String(string name, string value) => new(name, o =>
    {
        ProtoMessage.Text(o, 4, value);
        ProtoMessage.Varint(o, 20, 3);
    });

    /// <summary>An INTS attribute.</summary>
    public static OnnxAttribute Ints(string name, params long[] values) => new(name, o =>
    {
        foreach (long v in values)
        {
            ProtoMessage.Varint(o, 8, v);
        }

        ProtoMessage.Varint(o, 20, 7);
    });

    /// <summary>A TENSOR attribute (a <c>Constant</c>'s value).</summary>
    public static OnnxAttribute Tensor(string name, OnnxTensor value) => new(name, o =>
    {
        ProtoMessage.Bytes(o, 5, value.Encode());
        ProtoMessage.Varint(o, 20, 4);
    });

    /// <summary>The <c>AttributeProto</c> bytes.</summary>
    public byte[] Encode() => ProtoMessage.Encode(o =>
    {
        ProtoMessage.Text(o, 1, Name);
        _value(o);
    });
}
