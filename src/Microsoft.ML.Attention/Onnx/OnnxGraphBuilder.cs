namespace Microsoft.ML.Attention.Onnx;

/// <summary>
/// Builds an ONNX graph (opset <see cref="Opset"/>, IR version <see cref="IrVersion"/>) operator by operator: every helper
/// appends one node and returns the name of its output, so a network is written as it is computed. <see cref="ToModel"/>
/// encodes the whole <c>ModelProto</c>.
/// </summary>
internal sealed class OnnxGraphBuilder(string graphName)
{
    /// <summary>The default-domain operator set the graphs are written for (LayerNormalization needs 17).</summary>
    public const int Opset = 17;

    /// <summary>The IR version that goes with opset 17.</summary>
    public const int IrVersion = 8;

    private readonly List<OnnxNode> _nodes = [];
    private readonly List<OnnxTensor> _initializers = [];
    private readonly List<OnnxValueInfo> _inputs = [];
    private readonly List<OnnxValueInfo> _outputs = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _next;

    /// <summary>Declares a graph input.</summary>
    public string Input(string name, OnnxDataType type, object[] dims, string doc)
    {
        Claim(name);
        _inputs.Add(new OnnxValueInfo(name, type, dims, doc));
        return name;
    }

    /// <summary>Declares <paramref name="value"/> a graph output named <paramref name="name"/> (through an Identity node when the names differ).</summary>
    public void Output(string value, string name, OnnxDataType type, object[] dims, string doc)
    {
        if (value != name)
        {
            Claim(name);
            _nodes.Add(new OnnxNode("Identity", $"output_{name}", [value], [name], []));
        }

        _outputs.Add(new OnnxValueInfo(name, type, dims, doc));
    }

    /// <summary>
    /// A float initializer of <paramref name="dims"/> (a weight). A module applied twice (CBAM's shared MLP) asks for its
    /// weights twice under one name and gets the one initializer.
    /// </summary>
    public string Weight(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        if (_initializers.FirstOrDefault(t => t.Name == name) is { } existing)
        {
            return existing.Dims.SequenceEqual(dims) && existing.Raw.Length == values.Length * sizeof(float)
                ? name
                : throw new InvalidOperationException($"ONNX graph '{graphName}': two different weights are named '{name}'.");
        }

        Claim(name);
        _initializers.Add(OnnxTensor.Floats(name, values, dims));
        return name;
    }

    /// <summary>An int64 constant (shapes, axes, indices).</summary>
    public string Int64s(params long[] values) => Constant(OnnxTensor.Int64s(Fresh("const"), values, values.Length));

    /// <summary>A scalar int64 constant.</summary>
    public string Int64(long value) => Constant(OnnxTensor.Int64s(Fresh("const"), [value]));

    /// <summary>A scalar float constant.</summary>
    public string Float(float value) => Constant(OnnxTensor.Floats(Fresh("const"), [value]));

    /// <summary>Appends an operator and returns its (first) output.</summary>
    public string Op(string opType, string[] inputs, params OnnxAttribute[] attributes)
    {
        string output = Fresh(opType.ToLowerInvariant());
        _nodes.Add(new OnnxNode(opType, output, inputs, [output], attributes));
        return output;
    }

    /// <summary>Appends an operator with <paramref name="outputs"/> outputs (e.g. a recurrent operator's Y and Y_h) and returns their names.</summary>
    public string[] Ops(string opType, string[] inputs, int outputs, params OnnxAttribute[] attributes)
    {
        string[] names = [.. Enumerable.Range(0, outputs).Select(_ => Fresh(opType.ToLowerInvariant()))];
        _nodes.Add(new OnnxNode(opType, names[0], inputs, names, attributes));
        return names;
    }

    /// <summary>x·wᵀ + b for a PyTorch-layout weight [out, in] (stored transposed, [in, out]) and an optional bias.</summary>
    public string Linear(string x, string name, ReadOnlySpan<float> weight, int outFeatures, int inFeatures, ReadOnlySpan<float> bias)
    {
        float[] transposed = new float[weight.Length];
        for (int o = 0; o < outFeatures; o++)
        {
            for (int i = 0; i < inFeatures; i++)
            {
                transposed[i * outFeatures + o] = weight[o * inFeatures + i];
            }
        }

        string y = Op("MatMul", [x, Weight($"{name}.weight_t", transposed, inFeatures, outFeatures)]);
        return bias.IsEmpty ? y : Op("Add", [y, Weight($"{name}.bias", bias, outFeatures)]);
    }

    /// <summary>The encoded <c>ModelProto</c>.</summary>
    public byte[] ToModel(string producerVersion, string doc) => ProtoMessage.Encode(o =>
    {
        ProtoMessage.Varint(o, 1, IrVersion);
        ProtoMessage.Text(o, 2, "Microsoft.ML.Attention");
        ProtoMessage.Text(o, 3, producerVersion);
        ProtoMessage.Text(o, 6, doc);
        ProtoMessage.Bytes(o, 7, ProtoMessage.Encode(g =>
        {
            foreach (OnnxNode n in _nodes)
            {
                ProtoMessage.Bytes(g, 1, n.Encode());
            }

            ProtoMessage.Text(g, 2, graphName);
            foreach (OnnxTensor t in _initializers)
            {
                ProtoMessage.Bytes(g, 5, t.Encode());
            }

            foreach (OnnxValueInfo i in _inputs)
            {
                ProtoMessage.Bytes(g, 11, i.Encode());
            }

            foreach (OnnxValueInfo i in _outputs)
            {
                ProtoMessage.Bytes(g, 12, i.Encode());
            }
        }));
        ProtoMessage.Bytes(o, 8, ProtoMessage.Encode(opset =>
        {
            ProtoMessage.Text(opset, 1, "");
            ProtoMessage.Varint(opset, 2, Opset);
        }));
    });

    private string Constant(OnnxTensor value)
    {
        _nodes.Add(new OnnxNode("Constant", value.Name, [], [value.Name], [OnnxAttribute.Tensor("value", value)]));
        return value.Name;
    }

    private string Fresh(string stem)
    {
        string name;
        do
        {
            name = $"{stem}_{_next++}";
        }
        while (!_names.Add(name));
        return name;
    }

    private void Claim(string name)
    {
        if (!_names.Add(name))
        {
            throw new InvalidOperationException($"ONNX graph '{graphName}': the name '{name}' is used twice.");
        }
    }
}
