using System.Text.Json;
using Strata.Layers;

namespace Strata.Serialization;

/// <summary>
/// A functional model's architecture in Keras's functional form:
/// <c>{"class_name": "Functional", "config": {"name": …, "layers": [{"class_name": "InputLayer", "name": "input_layer",
/// "config": {"name": "input_layer", "batch_shape": [null, 28, 28, 1]}, "inbound_nodes": []}, {"class_name": "Dense",
/// "name": "dense", "config": {…}, "inbound_nodes": [[["input_layer", 0, 0, {}]]]}, …], "input_layers": [["input_layer", 0, 0]],
/// "output_layers": [["dense", 0, 0]]}}</c>. Each layer lists its calls in order; each call lists the tensors it takes as
/// [layer, call, 0] (every layer has one output). A call's number counts this model's calls of the layer only.
/// </summary>
internal static class FunctionalConfig
{
    public const string ClassName = "Functional";

    /// <summary>The most calls one layer may have in a configuration, and the most tensors one call may take.</summary>
    private const int MaxCalls = 4096;

    public static void Write(Utf8JsonWriter w, Model model, GraphTopology topology)
    {
        // Each call's number among the model's calls of its layer (a layer may have been called outside the model too).
        var local = new Dictionary<Node, int>();
        foreach (var layer in topology.Layers)
        {
            int k = 0;
            foreach (var node in topology.NodesOf(layer)) local[node] = k++;
        }
        w.WriteStartObject();
        w.WriteString("class_name", ClassName);
        w.WriteStartObject("config");
        w.WriteString("name", model.Name);
        w.WriteStartArray("layers");
        foreach (var layer in topology.Layers)
        {
            if (layer is InputLayer input)
            {
                WriteInput(w, input);
                continue;
            }
            LayerConfig.Write(w, layer, members: m =>
            {
                m.WriteString("name", layer.Name);
                m.WriteStartArray("inbound_nodes");
                foreach (var node in topology.NodesOf(layer))
                {
                    m.WriteStartArray();
                    foreach (var tensor in node.Inputs) WriteReference(m, tensor.Node, local, kwargs: true);
                    m.WriteEndArray();
                }
                m.WriteEndArray();
            });
        }
        w.WriteEndArray();
        w.WriteStartArray("input_layers");
        foreach (var tensor in model.Inputs) WriteReference(w, tensor.Node, local, kwargs: false);
        w.WriteEndArray();
        w.WriteStartArray("output_layers");
        foreach (var tensor in model.Outputs) WriteReference(w, tensor.Node, local, kwargs: false);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>
    /// Rebuilds the model: the input layers first, then every layer's calls, each as soon as the tensors it takes exist
    /// (a shared layer's later call may take a tensor of a layer listed after it). The layers are built as they are
    /// called; the caller sets the weight budget (<see cref="WeightBudget"/>). With <paramref name="seed"/>, the weights
    /// are then drawn from it (<see cref="Model.Seed"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">A setting is bad, a call takes a tensor nothing produces, or the layers do not fit together.</exception>
    public static Model Read(ConfigReader c, string source, int? seed)
    {
        string name = c.String("name");
        var layersElement = c.Element("layers");
        if (layersElement.ValueKind != JsonValueKind.Array || layersElement.GetArrayLength() is 0 or > ModelConfig.MaxLayers)
            throw c.Bad($"'layers' must be an array of 1 to {ModelConfig.MaxLayers} layers");
        var tensors = new Dictionary<(string Layer, int Call), SymbolicTensor>();
        var pending = new List<(Layer Layer, List<(string Layer, int Call)[]> Calls)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        int index = 0;
        foreach (var element in layersElement.EnumerateArray())
        {
            string layerName;
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("class_name", out var type) && type.ValueKind == JsonValueKind.String
                && type.GetString() == nameof(InputLayer))
            {
                var input = ReadInput(element, source, index);
                layerName = input.Layer.Name;
                tensors[(layerName, 0)] = input;
            }
            else
            {
                List<(string, int)[]> calls = [];
                string? outerName = null;
                var layer = LayerConfig.Read(element, source, index, members: outer =>
                {
                    outerName = outer.String("name");
                    calls = ReadCalls(outer);
                });
                layerName = layer.Name;
                if (outerName != layerName) throw c.Bad($"names layer {index} '{outerName}' outside its config and '{layerName}' inside");
                pending.Add((layer, calls));
            }
            if (!names.Add(layerName)) throw c.Bad($"names two layers '{layerName}'");
            index++;
        }

        CallAll(pending, tensors, c);
        var inputs = ReadTensors(c, "input_layers", tensors);
        var outputs = ReadTensors(c, "output_layers", tensors);
        c.Done();
        try
        {
            return new Model(inputs, outputs) { Name = name, Seed = seed };
        }
        catch (ArgumentException e)
        {
            throw c.Bad($"does not describe a model: {e.Message}");
        }
    }

    /// <summary>Runs every call whose inputs exist until none is left; a pass that makes no call means some input is never produced.</summary>
    private static void CallAll(List<(Layer Layer, List<(string Layer, int Call)[]> Calls)> pending,
        Dictionary<(string Layer, int Call), SymbolicTensor> tensors, ConfigReader c)
    {
        var next = new int[pending.Count];
        bool progress = true;
        while (progress)
        {
            progress = false;
            for (int i = 0; i < pending.Count; i++)
            {
                var (layer, calls) = pending[i];
                while (next[i] < calls.Count && calls[next[i]].All(tensors.ContainsKey))
                {
                    var inputs = calls[next[i]].Select(r => tensors[r]).ToArray();
                    try
                    {
                        tensors[(layer.Name, next[i])] = layer.CallCore(inputs);
                    }
                    catch (ArgumentException e)
                    {
                        throw new InvalidDataException($"{c.Context}: the layers do not fit together: {e.Message}", e);
                    }
                    next[i]++;
                    progress = true;
                }
            }
        }
        for (int i = 0; i < pending.Count; i++)
        {
            if (next[i] == pending[i].Calls.Count) continue;
            var missing = pending[i].Calls[next[i]].First(r => !tensors.ContainsKey(r));
            throw c.Bad($"has layer '{pending[i].Layer.Name}' take, in its call {next[i]}, the tensor ['{missing.Layer}', {missing.Call}, 0], which no call produces");
        }
    }

    private static void WriteInput(Utf8JsonWriter w, InputLayer input)
    {
        w.WriteStartObject();
        w.WriteString("class_name", nameof(InputLayer));
        w.WriteString("name", input.Name);
        w.WriteStartObject("config");
        w.WriteString("name", input.Name);
        w.WriteStartArray("batch_shape");
        w.WriteNullValue();
        foreach (int d in input.OutputShape.Dims) w.WriteNumberValue(d);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartArray("inbound_nodes");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static SymbolicTensor ReadInput(JsonElement element, string source, int index)
    {
        var outer = new ConfigReader(element, $"{source}: layer {index} (InputLayer)");
        outer.String("class_name");
        string outerName = outer.String("name");
        var config = outer.Object("config");
        var nodes = outer.Element("inbound_nodes");
        if (nodes.ValueKind != JsonValueKind.Array || nodes.GetArrayLength() != 0) throw outer.Bad("'inbound_nodes' must be empty: an input layer is not called");
        outer.Done();
        string name = config.String("name");
        if (name != outerName || name.Length is 0 or > 256 || name.Contains('/'))
            throw outer.Bad("has a name that differs inside and outside its config, is empty, longer than 256 characters or contains '/'");
        var batch = config.Element("batch_shape");
        if (batch.ValueKind != JsonValueKind.Array || batch.GetArrayLength() is < 1 or > 9 || batch[0].ValueKind != JsonValueKind.Null)
            throw config.Bad("'batch_shape' must be [null, …] with at most 8 sizes after the batch axis");
        var dims = new int[batch.GetArrayLength() - 1];
        for (int d = 0; d < dims.Length; d++)
        {
            if (batch[d + 1].ValueKind != JsonValueKind.Number || !batch[d + 1].TryGetInt32(out dims[d]) || dims[d] < 1)
                throw config.Bad($"'batch_shape' holds {batch[d + 1].GetRawText()}; each size after the batch axis is a positive integer");
        }
        config.Done();
        try
        {
            return Input.Of(new Shape(dims), name);
        }
        catch (ArgumentException e)
        {
            throw config.Bad($"'batch_shape': {e.Message}");
        }
    }

    /// <summary>The calls of a layer: an array of calls, each an array of [layer, call, 0] or [layer, call, 0, {}].</summary>
    private static List<(string Layer, int Call)[]> ReadCalls(ConfigReader outer)
    {
        var nodes = outer.Element("inbound_nodes");
        if (nodes.ValueKind != JsonValueKind.Array || nodes.GetArrayLength() > MaxCalls)
            throw outer.Bad($"'inbound_nodes' must be an array of at most {MaxCalls} calls");
        var calls = new List<(string, int)[]>();
        foreach (var call in nodes.EnumerateArray())
        {
            if (call.ValueKind != JsonValueKind.Array || call.GetArrayLength() is 0 or > MaxCalls)
                throw outer.Bad($"'inbound_nodes' holds a call that is not an array of 1 to {MaxCalls} tensors");
            calls.Add([.. call.EnumerateArray().Select(r => ReadReference(r, outer, "inbound_nodes"))]);
        }
        return calls;
    }

    private static SymbolicTensor[] ReadTensors(ConfigReader c, string key, Dictionary<(string Layer, int Call), SymbolicTensor> tensors)
    {
        var e = c.Element(key);
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() is 0 or > MaxCalls)
            throw c.Bad($"'{key}' must be an array of 1 to {MaxCalls} tensors");
        return [.. e.EnumerateArray().Select(r =>
        {
            var reference = ReadReference(r, c, key);
            return tensors.TryGetValue(reference, out var tensor) ? tensor
                : throw c.Bad($"'{key}' names the tensor ['{reference.Layer}', {reference.Call}, 0], which no call produces");
        })];
    }

    /// <summary>[layer, call, 0], with an empty {} of keyword arguments after it in a call's inputs (Keras writes one).</summary>
    private static (string Layer, int Call) ReadReference(JsonElement e, ConfigReader c, string key)
    {
        int length = e.ValueKind == JsonValueKind.Array ? e.GetArrayLength() : 0;
        int call = -1;
        bool ok = length is 3 or 4 && e[0].ValueKind == JsonValueKind.String && IsInt(e[1], out call) && call >= 0 && call < MaxCalls
            && IsInt(e[2], out int output) && output == 0
            && (length == 3 || e[3].ValueKind == JsonValueKind.Object && !e[3].EnumerateObject().Any());
        if (!ok) throw c.Bad($"'{key}' holds {e.GetRawText()}; a tensor is [layer name, call, 0]");
        return (e[0].GetString()!, call);
    }

    private static bool IsInt(JsonElement e, out int value)
    {
        value = 0;
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out value);
    }

    private static void WriteReference(Utf8JsonWriter w, Node node, Dictionary<Node, int> local, bool kwargs)
    {
        w.WriteStartArray();
        w.WriteStringValue(node.Origin.Name);
        w.WriteNumberValue(node.IsInput ? 0 : local[node]);
        w.WriteNumberValue(0);
        if (kwargs)
        {
            w.WriteStartObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
