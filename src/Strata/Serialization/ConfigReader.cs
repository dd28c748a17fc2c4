using System.Globalization;
using System.Text.Json;

namespace Strata.Serialization;

/// <summary>
/// Reads one JSON object of a saved configuration strictly: every value is type- and range-checked, and
/// <see cref="Done"/> refuses keys nobody asked for, so a typo or a hostile edit is an error that names the
/// file, the object and the key instead of a silently different model.
/// </summary>
internal sealed class ConfigReader
{
    private readonly JsonElement _element;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    /// <param name="element">The JSON object.</param>
    /// <param name="context">Where it is, for messages: "model.safetensors: layer 'dense' (Dense)".</param>
    public ConfigReader(JsonElement element, string context)
    {
        Context = context;
        if (element.ValueKind != JsonValueKind.Object) throw Bad($"is a JSON {element.ValueKind}, not an object");
        _element = element;
    }

    public string Context { get; }

    public bool Has(string key) => _element.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonElement Element(string key)
    {
        _read.Add(key);
        return _element.TryGetProperty(key, out var value) ? value : throw Bad($"lacks '{key}'");
    }

    public JsonElement? Optional(string key)
    {
        _read.Add(key);
        return _element.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
    }

    public ConfigReader Object(string key) => new(Element(key), $"{Context}, '{key}'");

    public string String(string key) =>
        Element(key) is { ValueKind: JsonValueKind.String } e ? e.GetString()! : throw Bad($"'{key}' must be a string");

    public string? OptionalString(string key) =>
        Optional(key) is not { } e ? null : e.ValueKind == JsonValueKind.String ? e.GetString() : throw Bad($"'{key}' must be a string or null");

    public bool Bool(string key) => Element(key).ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Bad($"'{key}' must be true or false"),
    };

    public int Int(string key, int min = int.MinValue, int max = int.MaxValue) => CheckInt(Element(key), key, min, max);

    public int? OptionalInt(string key, int min = int.MinValue, int max = int.MaxValue) =>
        Optional(key) is { } e ? CheckInt(e, key, min, max) : null;

    public long Long(string key, long min = long.MinValue, long max = long.MaxValue)
    {
        var e = Element(key);
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long value) || value < min || value > max)
            throw Bad($"'{key}' must be an integer in [{min}, {max}]; got {e.GetRawText()}");
        return value;
    }

    public float Float(string key) => CheckFloat(Element(key), key);

    public double Double(string key)
    {
        var e = Element(key);
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out double value) || !double.IsFinite(value))
            throw Bad($"'{key}' must be a finite number; got {e.GetRawText()}");
        return value;
    }

    public float? OptionalFloat(string key) => Optional(key) is { } e ? CheckFloat(e, key) : null;

    /// <summary>An array of integers, each in [min, max], with at most <paramref name="maxLength"/> items.</summary>
    public int[] IntArray(string key, int min, int max, int maxLength = 8)
    {
        var e = Element(key);
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() > maxLength)
            throw Bad($"'{key}' must be an array of at most {maxLength} integers");
        return e.EnumerateArray().Select(item => CheckInt(item, key, min, max)).ToArray();
    }

    public int[]? OptionalIntArray(string key, int min, int max, int maxLength = 8) => Has(key) ? IntArray(key, min, max, maxLength) : Skip<int[]>(key);

    /// <summary>An array of finite numbers with at most <paramref name="maxLength"/> items, or null when absent or null.</summary>
    public float[]? OptionalFloatArray(string key, int maxLength)
    {
        if (!Has(key)) return Skip<float[]>(key);
        var e = Element(key);
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() > maxLength)
            throw Bad($"'{key}' must be an array of at most {maxLength} numbers");
        return e.EnumerateArray().Select(item => CheckFloat(item, key)).ToArray();
    }

    /// <summary>Throws unless every key of the object was read.</summary>
    public void Done()
    {
        foreach (var property in _element.EnumerateObject())
            if (!_read.Contains(property.Name)) throw Bad($"has an unknown setting '{property.Name}'");
    }

    public InvalidDataException Bad(string problem) => new($"{Context} {problem}.");

    private T? Skip<T>(string key) where T : class
    {
        _read.Add(key);
        return null;
    }

    internal int CheckInt(JsonElement e, string key, int min, int max)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int value) || value < min || value > max)
            throw Bad($"'{key}' must be an integer in [{min}, {max}]; got {e.GetRawText()}");
        return value;
    }

    private float CheckFloat(JsonElement e, string key)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out double value) || !double.IsFinite(value) || Math.Abs(value) > float.MaxValue)
            throw Bad($"'{key}' must be a finite number; got {e.GetRawText()}");
        return (float)value;
    }

    /// <summary>Parses a configuration string with a small depth limit (configs are shallow; deep nesting is an attack).</summary>
    /// <summary>The deepest nesting a configuration may have (configs are shallow; deep nesting is an attack).</summary>
    public const int MaxDepth = 16;

    public static JsonDocument Parse(string json, string context)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{context} is not valid JSON ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Reads Keras's form of a configured object, <c>{"class_name": …, "config": {…}}</c>: the class name and a reader
    /// for its settings, and the outer reader (whose message should name an unknown class).
    /// </summary>
    public static (string Type, ConfigReader Config, ConfigReader Outer) Class(JsonElement element, string context)
    {
        var outer = new ConfigReader(element, context);
        string type = outer.String("class_name");
        var config = outer.Object("config");
        outer.Done();
        return (type, config, outer);
    }

    /// <summary>
    /// Writes <paramref name="key"/>: <c>{"class_name": className, "config": {…}}</c>, the settings by <paramref name="config"/>;
    /// with a null key, the object as an array item.
    /// </summary>
    public static void WriteClass(Utf8JsonWriter w, string? key, string className, Action<Utf8JsonWriter> config)
    {
        if (key is null) w.WriteStartObject();
        else w.WriteStartObject(key);
        w.WriteString("class_name", className);
        w.WriteStartObject("config");
        config(w);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Writes a float so that it reads back as the same float ("R" round-trips binary32).</summary>
    public static void WriteFloat(Utf8JsonWriter writer, string key, float value) => writer.WriteNumber(key, RoundTrip(value));

    /// <summary>The shortest double that reads back as <paramref name="value"/> (0.99f → 0.99, not 0.9900000095367432).</summary>
    public static double RoundTrip(float value) => double.Parse(value.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
