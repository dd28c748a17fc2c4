using System.Text.Json;
using System.Text.Json.Nodes;
using Strata.Data;

namespace Strata.Serialization;

/// <summary>
/// A model's architecture as Keras-like JSON, the <c>model_config</c> of every model file:
/// <c>{"class_name": "Sequential", "config": {"name": …, "input_shape": [28, 28], "layers": [{"class_name": "Dense", "config": {…}}, …]}}</c>,
/// or a functional model's graph (<see cref="FunctionalConfig"/>). Written by <see cref="Model.ToConfig"/> and model
/// files, read by <see cref="Model.FromConfig"/>, <see cref="Sequential.FromConfig"/>, model files and
/// <c>strata train --model FILE.json</c>. Every setting is checked by name (<see cref="LayerConfig"/>).
/// </summary>
internal static class ModelConfig
{
    /// <summary>The most layers a configuration may list.</summary>
    public const int MaxLayers = 10_000;

    public static string Write(Model model)
    {
        if (!model.IsBuilt) throw new InvalidOperationException($"Model '{model.Name}' is not built; build, fit or call it once to write its configuration.");
        if (model.Topology is { } topology) return ModelFile.Json(w => FunctionalConfig.Write(w, model, topology));
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

    /// <summary>
    /// A model (Sequential or functional) from a configuration alone, its weights initialized from <paramref name="seed"/>
    /// within a quarter of the budget; <paramref name="inputShape"/> and <paramref name="outputUnits"/> complete a
    /// Sequential configuration (<see cref="Complete"/>).
    /// </summary>
    public static Model Read(string json, Shape? inputShape, int? outputUnits, int seed, MemoryBudget budget)
    {
        ArgumentNullException.ThrowIfNull(json);
        const string source = "model config";
        budget.Require(json.Length * 2L, source); // UTF-16 in memory
        string completed = Complete(json, inputShape, outputUnits, source);
        using var document = ConfigReader.Parse(completed, source);
        using (WeightBudget.LimitNew(budget.Bytes / 4 / sizeof(float), source))
            return ReadModel(document.RootElement, source, source, seed);
    }

    /// <summary>
    /// A Sequential or functional model from a configuration, built (the caller sets the <see cref="WeightBudget"/>);
    /// with <paramref name="seed"/>, its weights are drawn from it.
    /// </summary>
    public static Model ReadModel(JsonElement root, string context, string source, int? seed)
    {
        var (type, c) = Open(root, context);
        if (type == FunctionalConfig.ClassName)
        {
            return FunctionalConfig.Read(c, source, seed);
        }
        var (model, shape, reader) = ReadSequential(c, source, seed ?? 0);
        Build(model, shape, reader);
        return model;
    }

    /// <summary>The class name (Sequential or Functional) and a reader of the settings.</summary>
    private static (string Type, ConfigReader Config) Open(JsonElement root, string context)
    {
        var outer = new ConfigReader(root, context);
        string type = outer.String("class_name");
        if (type != "Sequential" && type != FunctionalConfig.ClassName) throw outer.Bad($"describes a model of class '{type}'; Strata reads Sequential and Functional models");
        var c = outer.Object("config");
        outer.Done();
        return (type, c);
    }

    private static (Sequential Model, Shape InputShape, ConfigReader Context) ReadSequential(ConfigReader c, string source, int seed)
    {
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
    private static void Build(Sequential model, Shape inputShape, ConfigReader context)
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
        // The reader names what is missing; a functional model's inputs and outputs are its own.
        if (root?["config"] is not JsonObject config || (string?)root["class_name"] != "Sequential") return json;
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
