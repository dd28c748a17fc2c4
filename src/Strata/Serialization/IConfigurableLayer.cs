using Strata.Layers;

namespace Strata.Serialization;

/// <summary>
/// A layer type that can be read back from its configuration (Keras's <c>from_config</c>); it writes it with
/// <see cref="Layer.WriteConfig"/>. Listing the type in <see cref="LayerRegistry"/> makes it loadable.
/// </summary>
internal interface IConfigurableLayer
{
    /// <summary>A new, unbuilt layer of the settings <paramref name="config"/> holds; a bad value throws ArgumentException or InvalidDataException.</summary>
    static abstract Layer FromConfig(LayerConfigReader config);
}
