using System.Text.Json;
using Strata.Layers;

namespace Strata.Serialization;

/// <summary>
/// What a layer writes its settings with (<see cref="Layer.WriteConfig"/>, Keras's <c>get_config</c>): Keras's key
/// names and value forms, so a saved configuration reads like Keras's. For a file, activations and initializers are
/// written by name; for an in-memory copy (<see cref="LayerConfig.Clone"/>) they are kept as references, so that a
/// copy of a layer with a user's own initializer is still exact.
/// </summary>
internal sealed class LayerConfigWriter(Utf8JsonWriter writer, List<object>? references = null)
{
    /// <summary>The key an in-memory reference is written under: <c>{"__reference__": index}</c>.</summary>
    internal const string ReferenceKey = "__reference__";

    public void Int(string key, int value) => writer.WriteNumber(key, value);

    public void Bool(string key, bool value) => writer.WriteBoolean(key, value);

    public void Float(string key, float value) => ConfigReader.WriteFloat(writer, key, value);

    public void String(string key, string value) => writer.WriteString(key, value);

    public void Null(string key) => writer.WriteNull(key);

    public void OptionalInt(string key, int? value)
    {
        if (value is int v) writer.WriteNumber(key, v);
        else writer.WriteNull(key);
    }

    public void Ints(string key, ReadOnlySpan<int> values)
    {
        writer.WriteStartArray(key);
        foreach (int v in values) writer.WriteNumberValue(v);
        writer.WriteEndArray();
    }

    /// <summary>Keras writes one axis as an integer and several as a list.</summary>
    public void Axes(string key, IReadOnlyList<int> axes)
    {
        if (axes.Count == 1) Int(key, axes[0]);
        else Ints(key, [.. axes]);
    }

    /// <summary>A list of floats, each written so that it reads back as the same float, or null.</summary>
    public void Floats(string key, IReadOnlyList<float>? values)
    {
        if (values is null)
        {
            writer.WriteNull(key);
            return;
        }
        writer.WriteStartArray(key);
        foreach (float v in values) writer.WriteNumberValue(ConfigReader.RoundTrip(v));
        writer.WriteEndArray();
    }

    /// <summary>A size as Keras writes it: [height, width].</summary>
    public void Size(string key, Size2D size) => Ints(key, [size.Height, size.Width]);

    /// <summary>A nested object of settings (tf.keras's renorm_clipping, say).</summary>
    public void Object(string key, Action<LayerConfigWriter> settings)
    {
        writer.WriteStartObject(key);
        settings(this);
        writer.WriteEndObject();
    }

    /// <summary>An activation is its Keras name; a leaky ReLU with a slope other than Keras's 0.2 is {"name", "alpha"}.</summary>
    public void Activation(string key, ActivationFunction activation)
    {
        if (TryReference(key, activation)) return;
        if (activation is LeakyReluActivation { Name: "leaky_relu" } leaky && leaky.Alpha != 0.2f)
        {
            writer.WriteStartObject(key);
            writer.WriteString("name", "leaky_relu");
            ConfigReader.WriteFloat(writer, "alpha", leaky.Alpha);
            writer.WriteEndObject();
            return;
        }
        writer.WriteString(key, activation.Name);
    }

    /// <summary>An initializer is its Keras name; RandomNormal and a non-unit Orthogonal gain are {"class_name", "config"}.</summary>
    public void Initializer(string key, Initializer initializer)
    {
        if (TryReference(key, initializer)) return;
        if (initializer is RandomNormalInitializer normal)
        {
            ConfigReader.WriteClass(writer, key, "RandomNormal", c =>
            {
                ConfigReader.WriteFloat(c, "mean", normal.Mean);
                ConfigReader.WriteFloat(c, "stddev", normal.Stddev);
            });
            return;
        }
        if (initializer is OrthogonalInitializer { Gain: not 1.0 } orthogonal)
        {
            ConfigReader.WriteClass(writer, key, "Orthogonal", c => c.WriteNumber("gain", orthogonal.Gain));
            return;
        }
        writer.WriteString(key, initializer.Name);
    }

    private bool TryReference(string key, object value)
    {
        if (references is null) return false;
        writer.WriteStartObject(key);
        writer.WriteNumber(ReferenceKey, references.Count);
        writer.WriteEndObject();
        references.Add(value);
        return true;
    }
}
