using Google.Protobuf;

namespace Microsoft.ML.Attention.Onnx;

/// <summary>
/// Protocol-buffer encoding of the ONNX messages (field numbers as in onnx.proto): every message is written to its own
/// buffer, so a parent can prefix it with its length. Uses Google.Protobuf's wire-format writer; the messages are the
/// pack's own code.
/// </summary>
internal static class ProtoMessage
{
    /// <summary>The bytes <paramref name="write"/> produces.</summary>
    internal static byte[] Encode(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }

        return buffer.ToArray();
    }

    /// <summary>A length-delimited field: a nested message, a string or raw bytes.</summary>
    internal static void Bytes(CodedOutputStream output, int field, byte[] bytes)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(UnsafeByteOperations.UnsafeWrap(bytes));
    }

    /// <summary>A string field (UTF-8).</summary>
    internal static void Text(CodedOutputStream output, int field, string text)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(text);
    }

    /// <summary>A varint field (int32, int64 and enum fields).</summary>
    internal static void Varint(CodedOutputStream output, int field, long value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt64(value);
    }

    /// <summary>A float field.</summary>
    internal static void Float(CodedOutputStream output, int field, float value)
    {
        output.WriteTag(field, WireFormat.WireType.Fixed32);
        output.WriteFloat(value);
    }
}
