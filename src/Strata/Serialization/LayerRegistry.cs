using Strata.Layers;

namespace Strata.Serialization;

/// <summary>
/// The closed list of layer types a configuration may name. Loading builds layers only through these types'
/// <see cref="IConfigurableLayer.FromConfig"/>: a file can choose among them and their settings, never make the loader
/// look up or run any other type. A new layer type is loadable once it is listed here.
/// </summary>
internal static class LayerRegistry
{
    private static readonly Dictionary<string, Func<LayerConfigReader, Layer>> s_types = Of(
    [
        Entry<Dense>(), Entry<Activation>(), Entry<Flatten>(), Entry<Reshape>(), Entry<Dropout>(),
        Entry<BatchNormalization>(), Entry<LayerNormalization>(), Entry<GroupNormalization>(), Entry<Normalization>(),
        Entry<Conv2D>(), Entry<MaxPooling2D>(), Entry<AveragePooling2D>(), Entry<GlobalAveragePooling2D>(), Entry<ZeroPadding2D>(), Entry<RandomTranslation>(), Entry<ScalarBias>(), Entry<ScalarScale>(),
        Entry<SimpleRnn>(), Entry<Lstm>(), Entry<Gru>(),
        Entry<Add>(), Entry<Multiply>(), Entry<Concatenate>(),
    ]);

    /// <summary>The type names a configuration may use, comma-separated.</summary>
    public static string Known { get; } = string.Join(", ", s_types.Keys);

    /// <summary>Whether <paramref name="type"/> is a listed layer type.</summary>
    public static bool Contains(Type type) => s_types.ContainsKey(type.Name) && type.Namespace == typeof(Layer).Namespace;

    /// <summary>The layer of type <paramref name="type"/> that <paramref name="config"/> describes, or null for an unlisted type.</summary>
    public static Layer? Create(string type, LayerConfigReader config) =>
        s_types.TryGetValue(type, out var create) ? create(config) : null;

    private static KeyValuePair<string, Func<LayerConfigReader, Layer>> Entry<T>() where T : Layer, IConfigurableLayer =>
        new(typeof(T).Name, T.FromConfig);

    private static Dictionary<string, Func<LayerConfigReader, Layer>> Of(KeyValuePair<string, Func<LayerConfigReader, Layer>>[] entries) =>
        new(entries, StringComparer.Ordinal);
}
