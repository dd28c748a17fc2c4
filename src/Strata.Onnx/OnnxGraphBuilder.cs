using System.Runtime.InteropServices;
using Google.Protobuf;
using Strata.Onnx.Proto;

namespace Strata.Onnx;

/// <summary>
/// Appends nodes and constant tensors to an ONNX <see cref="GraphProto"/> and keeps every value name unique
/// (ONNX graphs are in static single-assignment form: each name is written by exactly one node or initializer).
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>The initializers written so far, by the hint they were asked for under.</summary>
    private readonly Dictionary<string, List<TensorProto>> _initializers = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(string graphName, params string[] reservedNames)
    {
        Graph = new GraphProto { Name = graphName };
        foreach (string name in reservedNames) _names.Add(name);
    }

    public GraphProto Graph { get; }

    /// <summary><paramref name="hint"/> itself if no value has that name yet, else hint_1, hint_2, …</summary>
    public string UniqueName(string hint)
    {
        if (_names.Add(hint)) return hint;
        for (int k = 1; ; k++)
        {
            string candidate = $"{hint}_{k}";
            if (_names.Add(candidate)) return candidate;
        }
    }

    /// <summary>
    /// A float32 initializer of shape <paramref name="dims"/>. The values go in <c>raw_data</c> as little-endian
    /// bytes (the layout ONNX prescribes for raw_data), the most compact form and the one readers load fastest.
    /// </summary>
    public string AddFloats(string hint, ReadOnlySpan<float> values, params long[] dims)
    {
        long count = dims.Aggregate(1L, (p, d) => p * d);
        if (count != values.Length)
            throw new InvalidOperationException($"Initializer '{hint}' has {values.Length} values for shape [{string.Join(", ", dims)}].");
        var tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.RawData = BitConverter.IsLittleEndian
            ? ByteString.CopyFrom(MemoryMarshal.AsBytes(values))
            : ByteString.CopyFrom(LittleEndianBytes(values));
        return AddInitializer(hint, tensor);
    }

    /// <summary>A 1-D int64 initializer (shapes for Reshape), stored in <c>int64_data</c>.</summary>
    public string AddInt64s(string hint, params long[] values)
    {
        var tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        return AddInitializer(hint, tensor);
    }

    /// <summary>
    /// Names <paramref name="tensor"/> after <paramref name="hint"/> and adds it, unless an initializer written under
    /// the same hint already holds the same values: a layer called twice (a shared layer of a functional model)
    /// then writes its weights once, and both of its nodes read them. The hint is the layer's name and the weight's,
    /// so two layers never share an initializer, even where their values agree (zero biases, say).
    /// </summary>
    private string AddInitializer(string hint, TensorProto tensor)
    {
        if (!_initializers.TryGetValue(hint, out var written)) _initializers[hint] = written = [];
        foreach (var earlier in written)
        {
            if (earlier.DataType == tensor.DataType && earlier.Dims.Equals(tensor.Dims)
                && earlier.RawData.Equals(tensor.RawData) && earlier.Int64Data.Equals(tensor.Int64Data))
                return earlier.Name;
        }
        tensor.Name = UniqueName(hint);
        Graph.Initializer.Add(tensor);
        written.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Appends a node of the default domain with one output, named after the node; returns the output's name.</summary>
    public string AddNode(string opType, string nodeHint, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        string name = UniqueName(nodeHint);
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(name);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return name;
    }

    /// <summary>
    /// Appends a node with several outputs of which only the one at <paramref name="outputIndex"/> is used; the
    /// outputs before it are left unnamed (an empty name marks an optional output as not wanted).
    /// </summary>
    public string AddNode(string opType, string nodeHint, IEnumerable<string> inputs, int outputIndex, params AttributeProto[] attributes)
    {
        string name = UniqueName(nodeHint);
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        for (int i = 0; i < outputIndex; i++) node.Output.Add("");
        node.Output.Add(name);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return name;
    }

    /// <summary>Renames a value everywhere it appears in the nodes (used to give the last value the graph output's name).</summary>
    public void RenameValue(string from, string to)
    {
        foreach (var node in Graph.Node)
        {
            for (int i = 0; i < node.Input.Count; i++) if (node.Input[i] == from) node.Input[i] = to;
            for (int i = 0; i < node.Output.Count; i++) if (node.Output[i] == from) node.Output[i] = to;
        }
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto Floats(string name, params float[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        attribute.Floats.AddRange(values);
        return attribute;
    }

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Strings(string name, params string[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        attribute.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return attribute;
    }

    /// <summary>A float32 tensor type whose first dimension is the symbolic batch size <paramref name="batch"/>.</summary>
    public static ValueInfoProto BatchedFloatValue(string name, string batch, ReadOnlySpan<int> perSample)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batch });
        foreach (int d in perSample) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape };
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    private static byte[] LittleEndianBytes(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        return bytes;
    }
}
