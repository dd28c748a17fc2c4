using System.Text.Json;
using Strata.Layers;

namespace Strata.Serialization;

/// <summary>
/// What a layer reads its settings with (<see cref="IConfigurableLayer.FromConfig"/>, Keras's <c>from_config</c>):
/// every value type- and range-checked, and every key of the configuration read exactly once (an unknown key is an
/// error naming it). The name, <c>trainable</c> and <c>input_shape</c> are read before the layer's own settings.
/// </summary>
internal sealed class LayerConfigReader
{
    private readonly ConfigReader _c;
    private readonly IReadOnlyList<object>? _references;

    public LayerConfigReader(ConfigReader config, string name, int[]? inputShape, IReadOnlyList<object>? references)
    {
        _c = config;
        Name = name;
        InputShape = inputShape;
        _references = references;
    }

    /// <summary>The layer's name.</summary>
    public string Name { get; }

    /// <summary>The declared per-sample input shape, or null.</summary>
    public int[]? InputShape { get; }

    public int Int(string key, int min = int.MinValue, int max = int.MaxValue) => _c.Int(key, min, max);

    public int? OptionalInt(string key, int min = int.MinValue, int max = int.MaxValue) => _c.OptionalInt(key, min, max);

    public float Float(string key) => _c.Float(key);

    public float? OptionalFloat(string key) => _c.OptionalFloat(key);

    public bool Bool(string key) => _c.Bool(key);

    public string String(string key) => _c.String(key);

    public int[] IntArray(string key, int min, int max) => _c.IntArray(key, min, max);

    public float[]? OptionalFloatArray(string key, int maxLength) => _c.OptionalFloatArray(key, maxLength);

    /// <summary>A setting written only when true (absent or null: false), so configurations without it stay as they were.</summary>
    public bool Flag(string key) => _c.Optional(key) switch
    {
        null => false,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw _c.Bad($"'{key}' must be true or false"),
    };

    /// <summary>An optional true or false (absent or null: null), for a setting whose default is "not said".</summary>
    public bool? OptionalBool(string key) => _c.Has(key) ? _c.Bool(key) : null;

    /// <summary>An optional nested object of settings, read by <paramref name="read"/> (which must read every key).</summary>
    public T? OptionalObject<T>(string key, Func<ConfigReader, T> read) where T : class
    {
        if (_c.Optional(key) is not { } e) return null;
        var o = new ConfigReader(e, $"{_c.Context}, '{key}'");
        var value = read(o);
        o.Done();
        return value;
    }

    /// <summary>One axis (an integer) or several (a list), each in −64 … 64.</summary>
    public int[] Axes(string key) =>
        _c.Element(key).ValueKind == JsonValueKind.Array ? _c.IntArray(key, -64, 64) : [_c.Int(key, -64, 64)];

    /// <summary>Two pairs of integers as Keras nests them, [[a, b], [c, d]] (ZeroPadding2D's ((top, bottom), (left, right))), each in min … max.</summary>
    public ((int, int), (int, int)) Pairs(string key, int min, int max)
    {
        var e = _c.Element(key);
        string bad = $"'{key}' must be [[a, b], [c, d]], integers in [{min}, {max}]";
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 2) throw _c.Bad(bad);
        int[][] pairs = [.. e.EnumerateArray().Select(pair => pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 2
            ? pair.EnumerateArray().Select(v => _c.CheckInt(v, key, min, max)).ToArray()
            : throw _c.Bad(bad))];
        return ((pairs[0][0], pairs[0][1]), (pairs[1][0], pairs[1][1]));
    }

    /// <summary>
    /// Keras writes sizes as [height, width] pairs, and so do we; a single int (as Keras's constructors accept) means
    /// both axes. Each entry is in 1 … 2¹⁶.
    /// </summary>
    public Size2D Size(string key)
    {
        if (_c.Element(key).ValueKind == JsonValueKind.Number) return _c.Int(key, 1, 1 << 16);
        int[] pair = _c.IntArray(key, 1, 1 << 16, maxLength: 2);
        if (pair.Length != 2) throw _c.Bad($"'{key}' must be [height, width] or one size for both");
        return (pair[0], pair[1]);
    }

    public ActivationFunction Activation(string key)
    {
        var e = _c.Element(key);
        if (Reference<ActivationFunction>(e, key) is { } referenced) return referenced;
        if (e.ValueKind == JsonValueKind.Object)
        {
            var o = new ConfigReader(e, $"{_c.Context}, '{key}'");
            if (o.String("name") != "leaky_relu") throw o.Bad("only leaky_relu takes a parameter");
            var alpha = Activations.LeakyReluWith(o.Float("alpha"));
            o.Done();
            return alpha;
        }
        string name = _c.String(key);
        try { return Activations.Get(name); }
        catch (ArgumentException error) { throw _c.Bad($"'{key}': {error.Message}"); }
    }

    public Initializer Initializer(string key)
    {
        var e = _c.Element(key);
        if (Reference<Initializer>(e, key) is { } referenced) return referenced;
        if (e.ValueKind == JsonValueKind.Object)
        {
            var (type, config, o) = ConfigReader.Class(e, $"{_c.Context}, '{key}'");
            var initializer = type switch
            {
                "RandomNormal" => Initializers.RandomNormal(config.Float("stddev"), config.Float("mean")),
                "Orthogonal" => Initializers.OrthogonalWith(config.Double("gain")),
                _ => throw o.Bad("names an initializer class Strata does not know (RandomNormal and Orthogonal take a config)"),
            };
            config.Done();
            return initializer;
        }
        string name = _c.String(key);
        try { return Initializers.Get(name); }
        catch (ArgumentException error) { throw _c.Bad($"'{key}': {error.Message}"); }
    }

    public InvalidDataException Bad(string problem) => _c.Bad(problem);

    /// <summary>An in-memory copy's reference to the original's object (never in a file: a file has no references).</summary>
    private T? Reference<T>(JsonElement e, string key) where T : class
    {
        if (_references is null || e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(LayerConfigWriter.ReferenceKey, out var index))
            return null;
        return _references[index.GetInt32()] as T ?? throw _c.Bad($"'{key}' refers to an object of another kind");
    }
}
