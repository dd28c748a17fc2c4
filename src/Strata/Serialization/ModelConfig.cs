using System.Text.Json;
using System.Text.Json.Nodes;
using Strata.Data;

namespace Strata.Serialization;

/// <summary>
/// A model's architecture as Keras-like JSON, the <c>model_config</c> of every model file:
/// <c>{"class_name": "Sequential", "config": {"name": …, "input_shape": [28, 28], "layers": [{"class_name": "Dense", "config": {…}}, …]}}</c>.
/// Written by <see cref="Sequential.ToConfig"/> and model files, read by <see cref="Sequential.FromConfig"/>, model
/// files and <c>strata train --model FILE.json</c>. Every setting is checked by name (<see cref="LayerConfig"/>).
/// </summary>
internal static class ModelConfig
{
    /// <summary>The most layers a configuration may list.</summary>
    public const int MaxLayers = 10_000;

    public static string Write(Sequential model)
    {
        if (!model.IsBuilt) throw new InvalidOperationException($"Model '{model.Name}' is not built; build, fit or call it once to write its configuration.");
        return ModelFile.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("class_name", "Sequential");
            w.WriteStartObject("config");
            w.WriteString("name", model.Name);
            w.WriteStartArray("input_shape");
            foreach (int d in model.InputShape.Dims) w.WriteNumberValue(d);
            w.WriteEndArray();
            w.WriteStartArray("layers");
            foreach (var layer in model.Layers) LayerConfig.Write(w, layer);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <summary>A model from a configuration alone, its weights initialized from <paramref name="seed"/> within a quarter of the budget.</summary>
    public static Sequential Read(string json, Shape? inputShape, int? outputUnits, int seed, MemoryBudget budget)
    {
        ArgumentNullException.ThrowIfNull(json);
        const string source = "model config";
        budget.Require(json.Length * 2L, source); // UTF-16 in memory
        string completed = Complete(json, inputShape, outputUnits, source);
        using var document = ConfigReader.Parse(completed, source);
        var (model, shape, context) = ReadUnbuilt(document.RootElement, source, source, seed);
        using (WeightBudget.LimitNew(budget.Bytes / 4 / sizeof(float), source))
            Build(model, shape, context);
        return model;
    }

    /// <summary>The model a configuration describes, not yet built, with the input shape it declares.</summary>
    public static (Sequential Model, Shape InputShape, ConfigReader Context) ReadUnbuilt(JsonElement root, string context, string source, int seed = 0)
    {
        var outer = new ConfigReader(root, context);
        if (outer.String("class_name") != "Sequential") throw outer.Bad("describes a model other than Sequential");
        var c = outer.Object("config");
        outer.Done();
        string name = c.String("name");
        int[] input = c.IntArray("input_shape", 1, int.MaxValue);
        var layersElement = c.Element("layers");
        if (layersElement.ValueKind != JsonValueKind.Array || layersElement.GetArrayLength() is 0 or > MaxLayers)
            throw c.Bad($"'layers' must be an array of 1 to {MaxLayers} layers");
        c.Done();
        var layers = layersElement.EnumerateArray().Select((e, i) => LayerConfig.Read(e, source, i)).ToArray();
        if (layers.Select(l => l.Name).Distinct(StringComparer.Ordinal).Count() != layers.Length)
            throw c.Bad("names two layers alike");
        Shape inputShape;
        try { inputShape = new Shape(input); }
        catch (ArgumentException e) { throw c.Bad($"'input_shape': {e.Message}"); }
        return (new Sequential(layers) { Name = name, Seed = seed }, inputShape, c);
    }

    /// <summary>Builds the layers for <paramref name="inputShape"/>; layers that do not fit together are a bad configuration.</summary>
    public static void Build(Sequential model, Shape inputShape, ConfigReader context)
    {
        try { model.Build(inputShape); }
        catch (ArgumentException e) { throw new InvalidDataException($"{context.Context}: the layers do not fit together: {e.Message}", e); }
    }

    /// <summary>
    /// Fills what a hand-written configuration may leave to the data: the model's <c>input_shape</c> and the last Dense
    /// layer's <c>units</c>. Given values never override written ones; a missing one that is not given stays missing, so
    /// the reader names it.
    /// </summary>
    private static string Complete(string json, Shape? inputShape, int? outputUnits, string source)
    {
        if (inputShape is null && outputUnits is null) return json;
        JsonNode? root;
        try { root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = ConfigReader.MaxDepth }); }
        catch (JsonException e) { throw new InvalidDataException($"{source} is not valid JSON: {e.Message}", e); }
        if (root?["config"] is not JsonObject config) return json; // the reader names what is missing
        if (inputShape is { } shape && config["input_shape"] is null)
            config["input_shape"] = new JsonArray([.. shape.Dims.ToArray().Select(d => JsonValue.Create(d))]);
        if (outputUnits is int units && config["layers"] is JsonArray { Count: > 0 } layers
            && layers[^1] is JsonObject { } last && (string?)last["class_name"] == "Dense"
            && last["config"] is JsonObject lastConfig && lastConfig["units"] is null)
        {
            lastConfig["units"] = units;
        }
        return root.ToJsonString();
    }
}
