using System.Text.Json;
using Strata.Layers;

namespace Strata.Serialization;

/// <summary>
/// Keras-like layer configurations: <c>{"class_name": "Dense", "config": {"name": "dense", "trainable": true,
/// "units": 300, "activation": "elu", …}}</c>. The name, <c>trainable</c> and the declared <c>input_shape</c> are
/// every layer's; the rest each layer writes itself (<see cref="Layer.WriteConfig"/>) and reads itself
/// (<see cref="IConfigurableLayer.FromConfig"/>), and only types in <see cref="LayerRegistry"/> can be read.
/// </summary>
internal static class LayerConfig
{
    /// <summary>Writes <paramref name="layer"/>'s configuration object; <paramref name="members"/> adds keys beside "config" (a functional model's "inbound_nodes").</summary>
    /// <exception cref="NotSupportedException">The layer's type has no configuration Strata can write.</exception>
    public static void Write(Utf8JsonWriter w, Layer layer, Action<Utf8JsonWriter>? members = null, List<object>? references = null, string? name = null)
    {
        if (!LayerRegistry.Contains(layer.GetType()))
            throw new NotSupportedException($"Layer '{layer.Name}' ({layer.TypeName}) cannot be saved or copied: Strata does not know its configuration.");
        w.WriteStartObject();
        w.WriteString("class_name", layer.TypeName);
        w.WritePropertyName("config");
        w.WriteStartObject();
        w.WriteString("name", name ?? layer.Name);
        w.WriteBoolean("trainable", layer.Trainable);
        // Strata's own, written only when set, so that other configurations stay Keras's.
        if (layer.LearningRateMultiplier != 1f) ConfigReader.WriteFloat(w, "learning_rate_multiplier", layer.LearningRateMultiplier);
        if (layer.DeclaredInputShape is { } declared)
        {
            w.WriteStartArray("input_shape");
            foreach (int d in declared.Dims) w.WriteNumberValue(d);
            w.WriteEndArray();
        }
        layer.WriteConfig(new LayerConfigWriter(w, references));
        w.WriteEndObject();
        members?.Invoke(w);
        w.WriteEndObject();
    }

    /// <summary>Creates the (unbuilt) layer a configuration describes; <paramref name="members"/> reads keys beside "config".</summary>
    /// <exception cref="InvalidDataException">Unknown type, unknown or missing setting, or a value out of range.</exception>
    public static Layer Read(JsonElement element, string source, int index, Action<ConfigReader>? members = null, IReadOnlyList<object>? references = null)
    {
        var outer = new ConfigReader(element, $"{source}: layer {index}");
        string type = outer.String("class_name");
        var configElement = outer.Element("config");
        members?.Invoke(outer);
        outer.Done();
        string name = new ConfigReader(configElement, $"{source}: layer {index} ({type})").String("name");
        if (name.Length is 0 or > 256 || name.Contains('/')) throw outer.Bad($"({type}) has a name that is empty, longer than 256 characters or contains '/'");
        var c = new ConfigReader(configElement, $"{source}: layer '{name}' ({type})");
        c.String("name");
        bool trainable = c.Bool("trainable");
        float rateMultiplier = c.OptionalFloat("learning_rate_multiplier") ?? 1f;
        int[]? input = c.OptionalIntArray("input_shape", 1, int.MaxValue);
        Layer layer;
        try
        {
            layer = LayerRegistry.Create(type, new LayerConfigReader(c, name, input, references))
                ?? throw c.Bad($"is of a type Strata does not know (known: {LayerRegistry.Known})");
        }
        catch (ArgumentException e)
        {
            throw c.Bad($"has settings the layer refuses: {e.Message}");
        }
        c.Done();
        layer.Trainable = trainable;
        try
        {
            layer.LearningRateMultiplier = rateMultiplier;
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw c.Bad($"has a learning-rate multiplier the layer refuses: {e.Message}");
        }
        return layer;
    }

    /// <summary>
    /// A new, unbuilt layer of the same configuration and name (or <paramref name="name"/>), by writing the
    /// configuration and reading it back (activations and initializers kept as the very objects): a shared layer's
    /// twin, a folded model's layer, <see cref="Layer.Clone"/>.
    /// </summary>
    public static Layer Clone(Layer layer, string? name = null)
    {
        var references = new List<object>();
        string json = ModelFile.Json(w => Write(w, layer, references: references, name: name));
        using var document = JsonDocument.Parse(json);
        return Read(document.RootElement, $"copy of layer '{layer.Name}'", 0, references: references);
    }
}
