namespace Strata.Layers;

public abstract partial class Layer
{
    /// <summary>
    /// A new layer of the same configuration and, if this one is built, the same input shape and a copy of every weight
    /// (Keras's <c>from_config(get_config())</c> then <c>set_weights</c>): it shares nothing, so training one leaves the
    /// other as it is. It is named <paramref name="name"/>, or as this layer (give a new name to use both in one model).
    /// </summary>
    /// <exception cref="NotSupportedException">A layer type whose configuration Strata cannot write.</exception>
    public Layer Clone(string? name = null)
    {
        var copy = Serialization.LayerConfig.Clone(this, name);
        if (!IsBuilt) return copy;
        copy.BuildForCall(this is Merge merge ? merge.InputShapes : [InputShape], new Random(0));
        for (int i = 0; i < _weights.Count; i++) _weights[i].Value.CopyTo(copy._weights[i].Value);
        return copy;
    }
}
