using Strata.Layers;

namespace Strata;

/// <summary>
/// Makes a later call of a shared layer use the first call's weights: while a scope is open on this thread, the twin
/// layer that runs that call gets, from each <c>AddWeight</c>, the called layer's weight of the same name and shape,
/// in creation order, instead of a new one. Both calls then read the same values and accumulate into the same
/// gradient, so a step's gradient of a shared weight is the sum over its calls (each layer's Backward adds).
/// </summary>
internal sealed class WeightSharing : ThreadScope<WeightSharing>
{
    private readonly Layer _twin;
    private readonly Layer _original;
    private readonly string _inputs;
    private int _claimed;

    private WeightSharing(Layer twin, Layer original, string inputs)
    {
        _twin = twin;
        _original = original;
        _inputs = inputs;
    }

    /// <summary>Until disposed, <paramref name="twin"/>'s weights on this thread are <paramref name="original"/>'s.</summary>
    /// <param name="twin">The layer built for the later call.</param>
    /// <param name="original">The layer called, whose weights the twin takes.</param>
    /// <param name="inputs">The call's input shapes, for messages.</param>
    public static WeightSharing Begin(Layer twin, Layer original, string inputs) => new(twin, original, inputs);

    /// <summary>Whether <paramref name="layer"/> is being built as a twin (its weights are not new, so not to be filled).</summary>
    public static bool IsSharing(Layer layer) => Current is { } scope && ReferenceEquals(scope._twin, layer);

    /// <summary>
    /// The original's next weight when <paramref name="layer"/> is the twin being built, after checking it is the one
    /// asked for; null outside a scope (a new weight is made).
    /// </summary>
    /// <exception cref="ArgumentException">The call needs weights of other shapes than the layer has.</exception>
    public static Weight? Claim(Layer layer, string name, Shape shape, bool trainable)
    {
        if (Current is not { } scope || !ReferenceEquals(scope._twin, layer)) return null;
        var weights = scope._original.Weights;
        var weight = scope._claimed < weights.Count ? weights[scope._claimed] : null;
        if (weight is null || weight.Name != name || weight.Shape != shape || weight.Trainable != trainable)
        {
            string has = weight is null ? "no such weight" : $"weight '{weight.Name}' of shape {weight.Shape}";
            throw new ArgumentException(
                $"Layer '{scope._original.Name}' ({scope._original.TypeName}) is shared, but its call on {scope._inputs} needs weight '{name}' of shape {shape} " +
                $"where the layer, built for {Describe(scope._original)}, has {has}: a shared layer's calls must fit the same weights.");
        }
        scope._claimed++;
        return weight;
    }

    /// <summary>Checks that the twin took every weight of the original (it has no weight of its own).</summary>
    public void Complete()
    {
        if (_claimed != _original.Weights.Count)
            throw new ArgumentException(
                $"Layer '{_original.Name}' ({_original.TypeName}) is shared, but its call on {_inputs} uses {_claimed} of its {_original.Weights.Count} weights.");
    }

    private static string Describe(Layer layer) =>
        layer is Merge merge ? string.Join(", ", merge.InputShapes.Select(s => s.ToBatchString())) : layer.InputShape.ToBatchString();
}
