namespace Microsoft.ML.Attention.Onnx;

/// <summary>One operator of an ONNX graph (<c>NodeProto</c>) in the default domain.</summary>
internal sealed record OnnxNode(string OpType, string Name, string[] Inputs, string[] Outputs, OnnxAttribute[] Attributes)
{
    /// <summary>The <c>NodeProto</c> bytes.</summary>
    public byte[] Encode() => ProtoMessage.Encode(o =>
    {
        foreach (string input in Inputs)
        {
            ProtoMessage.Text(o, 1, input);
        }

        foreach (string output in Outputs)
        {
            ProtoMessage.Text(o, 2, output);
        }

        ProtoMessage.Text(o, 3, Name);
        ProtoMessage.Text(o, 4, OpType);
        foreach (OnnxAttribute a in Attributes)
        {
            ProtoMessage.Bytes(o, 5, a.Encode());
        }
    });
}
