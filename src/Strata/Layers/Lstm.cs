using System.Numerics.Tensors;
using Strata.Kernels;
using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// Keras's LSTM on inputs [batch, time, features], from h_0 = c_0 = 0. The columns of W, U and b hold the gates
/// in Keras's order i, f, c (the candidate, called g below), o. With z = x_t·W + h_{t−1}·U + b:
/// i = σ(z_i), f = σ(z_f), g = φ(z_g), o = σ(z_o); c_t = f ⊙ c_{t−1} + i ⊙ g; h_t = o ⊙ φ(c_t)
/// (σ the recurrent activation, sigmoid by default; φ the activation, tanh by default).
/// </summary>
/// <remarks>
/// Backward through time, with dc carried from step t+1 (zero after the last step):
/// dA_o = dh ⊙ φ(c_t); dc = dc_carried + φ'(c_t) ⊙ (dh ⊙ o); dA_i = dc ⊙ g; dA_f = dc ⊙ c_{t−1}; dA_g = dc ⊙ i;
/// dc_carried ← dc ⊙ f; each dz = (its activation)' ⊙ dA; dh_{t−1} = dz·Uᵀ (see <see cref="Recurrent"/>).
/// </remarks>
public sealed class Lstm : Recurrent, IConfigurableLayer
{
    private Tensor? _a, _c, _phiC, _dC, _dPhi;
    private int _cachedBatch = -1;
    private Shape _aShape, _cShape, _phiShape, _stateShape;

    /// <param name="units">Size of the states h and c.</param>
    /// <param name="returnSequences">Output every h_t instead of the last.</param>
    /// <param name="activation">φ, for the candidate and the output; tanh by default.</param>
    /// <param name="recurrentActivation">σ, for the gates i, f, o; sigmoid by default.</param>
    /// <param name="useBias">Whether the gates have a bias.</param>
    /// <param name="unitForgetBias">Start the forget gate's bias at 1 (Jozefowicz et al. 2015), as Keras does by default.</param>
    /// <param name="kernelInitializer">W's initializer; glorot_uniform by default.</param>
    /// <param name="recurrentInitializer">U's initializer; orthogonal by default.</param>
    /// <param name="biasInitializer">b's initializer; zeros by default.</param>
    /// <param name="inputShape">Per-sample input shape (time, features), for the first layer.</param>
    /// <param name="name">Layer name; by default lstm, lstm_1, …</param>
    /// <param name="layerNormalization">
    /// Layer-normalize x_t·W + h_{t−1}·U (all four gates' row together) before b and the gates (Ba et al. 2016; see
    /// <see cref="Recurrent"/>). With <paramref name="unitForgetBias"/> the forget gate still starts at +1, now after the normalization.
    /// </param>
    public Lstm(int units, bool returnSequences = false, ActivationFunction? activation = null,
        ActivationFunction? recurrentActivation = null, bool useBias = true, bool unitForgetBias = true,
        Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
        int[]? inputShape = null, string? name = null, bool layerNormalization = false)
        : base(units, 4, returnSequences, useBias, kernelInitializer, recurrentInitializer, biasInitializer, inputShape, name, layerNormalization)
    {
        Activation = activation ?? Activations.Tanh;
        RecurrentActivation = recurrentActivation ?? Activations.Sigmoid;
        UnitForgetBias = unitForgetBias;
    }

    /// <summary>φ, for the candidate g and for φ(c_t).</summary>
    public ActivationFunction Activation { get; }

    /// <summary>σ, for the gates i, f and o.</summary>
    public ActivationFunction RecurrentActivation { get; }

    /// <summary>Whether the forget gate's bias starts at 1.</summary>
    public bool UnitForgetBias { get; }

    /// <summary>Sigmoid gates and tanh go through the fused cell kernels; other activations through one call per gate.</summary>
    private bool Fused => RecurrentActivation is SigmoidActivation && Activation is TanhActivation;

    internal override void WriteConfig(LayerConfigWriter config)
    {
        base.WriteConfig(config);
        config.Activation("activation", Activation);
        config.Activation("recurrent_activation", RecurrentActivation);
        config.Bool("unit_forget_bias", UnitForgetBias);
    }

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) =>
        new Lstm(c.Int("units", 1), c.Bool("return_sequences"), c.Activation("activation"), c.Activation("recurrent_activation"),
            c.Bool("use_bias"), c.Bool("unit_forget_bias"), c.Initializer("kernel_initializer"), c.Initializer("recurrent_initializer"),
            c.Initializer("bias_initializer"), c.InputShape, c.Name, c.Flag("layer_normalization"));

    /// <summary>Keras's unit_forget_bias: b = [init(units), ones(units), init(2·units)].</summary>
    private protected override void InitializeBias(Span<float> bias, Random random)
    {
        if (!UnitForgetBias)
        {
            base.InitializeBias(bias, random);
            return;
        }
        int u = Units;
        BiasInitializer.Fill(new Shape(u), random, bias[..u]);
        bias.Slice(u, u).Fill(1f);
        BiasInitializer.Fill(new Shape(2 * u), random, bias[(2 * u)..]);
    }

    private protected override void PrepareCell(int batch, int time)
    {
        if (batch != _cachedBatch)
        {
            _cachedBatch = batch;
            _aShape = new Shape(time * batch * 4 * Units);
            _cShape = new Shape((time + 1) * batch * Units);
            _phiShape = new Shape(time * batch * Units);
            _stateShape = new Shape(batch * Units);
        }
        Tensor.Ensure(ref _a, _aShape);
        Tensor.Ensure(ref _phiC, _phiShape);
        Tensor.Ensure(ref _c, _cShape).Span[..(batch * Units)].Clear();   // c_0 = 0
    }

    // z: [batch, 4·units] pre-activations of i, f, g, o; h: [batch, units]
    private protected override void StepForward(int t, int batch, Span<float> z, ReadOnlySpan<float> hPrev, Span<float> h)
    {
        int u = Units, state = batch * u;
        var a = _a!.Span.Slice(t * 4 * state, 4 * state);
        var cPrev = _c!.Span.Slice(t * state, state);
        var c = _c.Span.Slice((t + 1) * state, state);
        var phiC = _phiC!.Span.Slice(t * state, state);
        if (Fused)
        {
            GateKernels.LstmForward(z, cPrev, batch, u, a, c, phiC, h);
            return;
        }
        ActivateGates(RecurrentActivation, z, batch, 4, u, 0, 2, a);   // i, f
        ActivateGates(Activation, z, batch, 4, u, 2, 1, a);            // g
        ActivateGates(RecurrentActivation, z, batch, 4, u, 3, 1, a);   // o
        RecurrentKernels.LstmCell(a, cPrev, batch, u, c);                               // c_t = f ⊙ c_{t−1} + i ⊙ g
        Activation.Forward(c, phiC, batch, u);
        RecurrentKernels.MultiplyGate(a, 4, 3, phiC, batch, u, h);                      // h_t = o ⊙ φ(c_t)
    }

    private protected override void PrepareCellBackward(int batch)
    {
        Tensor.Ensure(ref _dC, _stateShape).Span.Clear();   // nothing reaches c_T from later steps
        Tensor.Ensure(ref _dPhi, _stateShape);
    }

    // dZ (= dR): [batch, 4·units], first filled with dA (gradients after the activations), then taken through them in place.
    private protected override void StepBackward(int t, int batch, Span<float> dH, ReadOnlySpan<float> z, ReadOnlySpan<float> hPrev,
        ReadOnlySpan<float> h, Span<float> dZ, Span<float> dR, Span<float> dHPrev)
    {
        int u = Units, state = batch * u;
        var a = _a!.Span.Slice(t * 4 * state, 4 * state);
        var cPrev = _c!.Span.Slice(t * state, state);
        var c = _c.Span.Slice((t + 1) * state, state);
        var phiC = _phiC!.Span.Slice(t * state, state);
        var dC = _dC!.Span;
        if (Fused)
        {
            GateKernels.LstmBackward(a, cPrev, phiC, dH, batch, u, dC, dZ);
            return;
        }
        var dPhi = _dPhi!.Span;
        RecurrentKernels.LstmOutputBackward(a, phiC, dH, batch, u, dZ, dPhi);   // dA_o = dh ⊙ φ(c_t); dφ = dh ⊙ o
        Activation.Backward(c, phiC, dPhi, dPhi, batch, u);                     // φ'(c_t) ⊙ dφ
        TensorPrimitives.Add(dC, dPhi, dC);                                     // dc = carried + through h_t
        RecurrentKernels.LstmCellBackward(a, cPrev, batch, u, dZ, dC);          // dA_i, dA_f, dA_g; dc ← dc ⊙ f
        GateGradients(RecurrentActivation, z, a, dZ, batch, 4, u, 0, 2, dZ);
        GateGradients(Activation, z, a, dZ, batch, 4, u, 2, 1, dZ);
        GateGradients(RecurrentActivation, z, a, dZ, batch, 4, u, 3, 1, dZ);
    }
}
