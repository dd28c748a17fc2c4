using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// Layer Normalization (Ba et al. 2016) with Keras's semantics: each sample is normalized over the
/// <see cref="Axis"/> axes, <c>y = γ·(x − μ)/√(σ² + ε) + β</c> with μ and the biased σ² of those values, and γ, β
/// of the normalized axes' shape (one per normalized element). The statistics are the sample's own, so training and
/// inference agree and there is nothing to track. With the default <c>axis = −1</c> a [N, T, C] sequence is
/// normalized per sample and step over its C features, as PyTorch's <c>LayerNorm(C)</c> does.
/// <para>
/// The axes must be the trailing ones (−1; [−2, −1]; [1, 2, 3] of an image, as in Keras's docs), which covers what
/// PyTorch's <c>normalized_shape</c> can express; a block of axes followed by others is refused.
/// </para>
/// </summary>
public sealed class LayerNormalization : PerSampleNormalization, IConfigurableLayer
{
    private readonly int[] _axes;

    /// <param name="axis">The axis to normalize over, of the batched input; −1 (the last) by default. Axis 0 is the batch.</param>
    /// <param name="epsilon">Added to the variance under the square root (Keras's 1e-3; PyTorch's is 1e-5).</param>
    /// <param name="center">Learn an offset β.</param>
    /// <param name="scale">Learn a scale γ.</param>
    /// <param name="betaInitializer">Default zeros.</param>
    /// <param name="gammaInitializer">Default ones.</param>
    /// <param name="inputShape">Per-sample input shape, for the first layer.</param>
    /// <param name="name">Layer name; by default layer_normalization, layer_normalization_1, …</param>
    public LayerNormalization(int axis = -1, float epsilon = 1e-3f, bool center = true, bool scale = true,
        Initializer? betaInitializer = null, Initializer? gammaInitializer = null, int[]? inputShape = null, string? name = null)
        : this([axis], epsilon, center, scale, betaInitializer, gammaInitializer, inputShape, name)
    {
    }

    /// <summary>Normalizes over several trailing axes at once, like Keras's <c>axis=[1, 2, 3]</c>.</summary>
    public LayerNormalization(int[] axes, float epsilon = 1e-3f, bool center = true, bool scale = true,
        Initializer? betaInitializer = null, Initializer? gammaInitializer = null, int[]? inputShape = null, string? name = null)
        : base(epsilon, center, scale, betaInitializer, gammaInitializer, inputShape, name)
    {
        ArgumentNullException.ThrowIfNull(axes);
        if (axes.Length == 0) throw new ArgumentException("LayerNormalization needs at least one axis.", nameof(axes));
        _axes = (int[])axes.Clone();
    }

    /// <summary>The normalized axes as given (negative counts from the end of the batched shape).</summary>
    public IReadOnlyList<int> Axis => _axes;

    internal override void WriteConfig(LayerConfigWriter config)
    {
        config.Axes("axis", _axes);
        base.WriteConfig(config);
    }

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) =>
        new LayerNormalization(c.Axes("axis"), c.Float("epsilon"), c.Bool("center"), c.Bool("scale"),
            c.Initializer("beta_initializer"), c.Initializer("gamma_initializer"), c.InputShape, c.Name);

    // One group spanning the normalized axes; every combination of the axes before them is a row of its own.
    private protected override (Shape Parameters, int Rows, int Positions, int Groups) Layout(Shape inputShape)
    {
        int rank = inputShape.Rank + 1; // with the batch axis
        var axes = _axes.Select(a => a < 0 ? a + rank : a).Order().ToArray();
        string given = string.Join(", ", _axes);
        if (axes[0] <= 0 || axes[^1] >= rank)
            throw new ArgumentException($"Layer '{Name}' (LayerNormalization): axis [{given}] is out of range for input {inputShape.ToBatchString()}; axis 0 is the batch.");
        for (int i = 0; i < axes.Length; i++)
        {
            if (axes[i] != rank - axes.Length + i)
            {
                throw new ArgumentException(
                    $"Layer '{Name}' (LayerNormalization): axis [{given}] of input {inputShape.ToBatchString()} must be the last axes, distinct " +
                    $"(here [{string.Join(", ", Enumerable.Range(rank - axes.Length, axes.Length))}]): Strata normalizes trailing axes only.");
            }
        }
        var dims = inputShape.Dims;
        int first = axes[0] - 1; // per-sample index
        int rows = 1;
        for (int i = 0; i < first; i++) rows *= dims[i];
        return (new Shape(dims[first..]), rows, 1, 1);
    }
}
