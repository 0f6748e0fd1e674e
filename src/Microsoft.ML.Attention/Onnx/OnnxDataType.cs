namespace Microsoft.ML.Attention.Onnx;

/// <summary>The ONNX element types the pack's exported graphs use (values of <c>TensorProto.DataType</c> in onnx.proto).</summary>
public enum OnnxDataType
{
    /// <summary>32-bit float.</summary>
    Float = 1,

    /// <summary>Boolean.</summary>
    Bool = 9,

    /// <summary>32-bit signed integer.</summary>
    Int32 = 6,

    /// <summary>64-bit signed integer.</summary>
    Int64 = 7,

    /// <summary>32-bit unsigned integer (the raw type of an ML.NET key column).</summary>
    UInt32 = 12,
}
