using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// Keras's SimpleRNN: h_t = φ(x_t·W + h_{t−1}·U + b) from h_0 = 0, on inputs [batch, time, features]; the output
/// is h_T [batch, units] or, with <c>returnSequences</c>, every h_t [batch, time, units].
/// Backward through time: dz_t = φ'(z_t) ⊙ dh_t and dh_{t−1} = dz_t·Uᵀ (see <see cref="Recurrent"/> for the rest).
/// </summary>
public sealed class SimpleRnn : Recurrent, IConfigurableLayer
{
    /// <param name="units">Size of the state h.</param>
    /// <param name="activation">φ; tanh by default.</param>
    /// <param name="returnSequences">Output every h_t instead of the last.</param>
    /// <param name="useBias">Whether to add b.</param>
    /// <param name="kernelInitializer">W's initializer; glorot_uniform by default.</param>
    /// <param name="recurrentInitializer">U's initializer; orthogonal by default.</param>
    /// <param name="biasInitializer">b's initializer; zeros by default.</param>
    /// <param name="inputShape">Per-sample input shape (time, features), for the first layer.</param>
    /// <param name="name">Layer name; by default simple_rnn, simple_rnn_1, …</param>
    /// <param name="layerNormalization">Layer-normalize x_t·W + h_{t−1}·U before b and φ (Ba et al. 2016; see <see cref="Recurrent"/>).</param>
    public SimpleRnn(int units, ActivationFunction? activation = null, bool returnSequences = false,
        bool useBias = true, Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null,
        Initializer? biasInitializer = null, int[]? inputShape = null, string? name = null, bool layerNormalization = false)
        : base(units, 1, returnSequences, useBias, kernelInitializer, recurrentInitializer, biasInitializer, inputShape, name, layerNormalization)
    {
        Activation = activation ?? Activations.Tanh;
    }

    /// <summary>φ, applied to the new state.</summary>
    public ActivationFunction Activation { get; }

    internal override void WriteConfig(LayerConfigWriter config)
    {
        base.WriteConfig(config);
        config.Activation("activation", Activation);
    }

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) =>
        new SimpleRnn(c.Int("units", 1), c.Activation("activation"), c.Bool("return_sequences"), c.Bool("use_bias"),
            c.Initializer("kernel_initializer"), c.Initializer("recurrent_initializer"), c.Initializer("bias_initializer"),
            c.InputShape, c.Name, c.Flag("layer_normalization"));

    // z: [batch, units] = x_t·W + h_{t−1}·U + b; h = φ(z)
    private protected override void StepForward(int t, int batch, Span<float> z, ReadOnlySpan<float> hPrev, Span<float> h)
        => Activation.Forward(z, h, batch, Units);

    // dz_t = φ'(z_t) ⊙ dh_t; dh_{t−1} has no path around U.
    private protected override void StepBackward(int t, int batch, Span<float> dH, ReadOnlySpan<float> z, ReadOnlySpan<float> hPrev,
        ReadOnlySpan<float> h, Span<float> dZ, Span<float> dR, Span<float> dHPrev)
        => Activation.Backward(z, h, dH, dZ, batch, Units);
}
