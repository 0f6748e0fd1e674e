namespace Microsoft.ML.Attention.Onnx;

/// <summary>
/// A graph input or output (<c>ValueInfoProto</c>) with its tensor type: each dimension a size, or a name for a size
/// known only when the model runs (e.g. "batch", "tokens").
/// </summary>
internal sealed record OnnxValueInfo(string Name, OnnxDataType Type, object[] Dims, string Doc)
{
    /// <summary>The <c>ValueInfoProto</c> bytes.</summary>
    public byte[] Encode() => ProtoMessage.Encode(o =>
    {
        ProtoMessage.Text(o, 1, Name);
        byte[] shape = ProtoMessage.Encode(s =>
        {
            foreach (object d in Dims)
            {
                ProtoMessage.Bytes(s, 1, ProtoMessage.Encode(dim =>
                {
                    if (d is string symbol)
                    {
                        ProtoMessage.Text(dim, 2, symbol);
                    }
                    else
                    {
                        ProtoMessage.Varint(dim, 1, Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture));
                    }
                }));
            }
        });
        byte[] tensor = ProtoMessage.Encode(t =>
        {
            ProtoMessage.Varint(t, 1, (int)Type);
            ProtoMessage.Bytes(t, 2, shape);
        });
        ProtoMessage.Bytes(o, 2, ProtoMessage.Encode(type => ProtoMessage.Bytes(type, 1, tensor)));
        ProtoMessage.Text(o, 3, Doc);
    });
}
