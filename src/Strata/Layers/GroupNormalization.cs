using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// Group Normalization (Wu &amp; He 2018) with Keras's semantics: the C channels of the last axis are split into
/// <see cref="Groups"/> groups of C/G adjacent channels, and each group of each sample is normalized over its
/// channels and every other axis of the sample (height and width of an image):
/// <c>y = γ_c·(x − μ_g)/√(σ²_g + ε) + β_c</c>, μ_g and the biased σ²_g per sample and group, γ and β per channel.
/// Unlike BatchNormalization it does not depend on the batch, so it suits small batches; G = 1 normalizes each
/// sample over everything with per-channel γ, β (not Keras's LayerNormalization, whose γ has one value per element),
/// and G = C (<c>groups: −1</c>) is Instance Normalization. PyTorch's <c>GroupNorm(G, C)</c> is the same on NCHW.
/// <para>The channel axis must be the last (channels-last, as Strata's images are); Keras also takes another axis.</para>
/// </summary>
public sealed class GroupNormalization : PerSampleNormalization, IConfigurableLayer
{
    private readonly int _groups;
    private readonly int _axis;

    /// <param name="groups">How many groups the channels form; they must divide the channels. −1 is one group per channel.</param>
    /// <param name="axis">The channel axis of the batched input: −1, or its index counted from the batch (the last).</param>
    /// <param name="epsilon">Added to the variance under the square root (Keras's 1e-3; PyTorch's is 1e-5).</param>
    /// <param name="center">Learn an offset β.</param>
    /// <param name="scale">Learn a scale γ.</param>
    /// <param name="betaInitializer">Default zeros.</param>
    /// <param name="gammaInitializer">Default ones.</param>
    /// <param name="inputShape">Per-sample input shape, for the first layer.</param>
    /// <param name="name">Layer name; by default group_normalization, group_normalization_1, …</param>
    public GroupNormalization(int groups = 32, int axis = -1, float epsilon = 1e-3f, bool center = true, bool scale = true,
        Initializer? betaInitializer = null, Initializer? gammaInitializer = null, int[]? inputShape = null, string? name = null)
        : base(epsilon, center, scale, betaInitializer, gammaInitializer, inputShape, name)
    {
        if (groups == 0 || groups < -1)
            throw new ArgumentOutOfRangeException(nameof(groups), groups, "GroupNormalization: groups must be positive, or −1 for one group per channel.");
        _groups = groups;
        _axis = axis;
    }

    /// <summary>The number of groups as given (−1: one per channel); <see cref="GroupCount"/> is the number used once built.</summary>
    public int Groups => _groups;

    /// <summary>The groups the channels form once built.</summary>
    public int GroupCount { get; private set; }

    /// <summary>The channel axis as given.</summary>
    public int Axis => _axis;

    internal override void WriteConfig(LayerConfigWriter config)
    {
        config.Int("groups", _groups);
        config.Int("axis", _axis);
        base.WriteConfig(config);
    }

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) =>
        new GroupNormalization(c.Int("groups", -1, 1 << 20), c.Int("axis", -64, 64), c.Float("epsilon"), c.Bool("center"), c.Bool("scale"),
            c.Initializer("beta_initializer"), c.Initializer("gamma_initializer"), c.InputShape, c.Name);

    // One row per sample: its channels in G groups, over the positions of every other axis.
    private protected override (Shape Parameters, int Rows, int Positions, int Groups) Layout(Shape inputShape)
    {
        int rank = inputShape.Rank + 1;
        if (rank < 2 || (_axis < 0 ? _axis + rank : _axis) != rank - 1)
        {
            throw new ArgumentException(
                $"Layer '{Name}' (GroupNormalization): axis {_axis} of input {inputShape.ToBatchString()} must be the last (the channels): " +
                "Strata's GroupNormalization is channels-last.");
        }
        int channels = inputShape[^1];
        int groups = _groups == -1 ? channels : _groups;
        if (channels == 0 || groups > channels || channels % groups != 0)
        {
            throw new ArgumentException(
                $"Layer '{Name}' (GroupNormalization): {groups} groups do not divide the {channels} channels of input {inputShape.ToBatchString()}.");
        }
        GroupCount = groups;
        return (new Shape(channels), 1, inputShape.Size / channels, groups);
    }
}
