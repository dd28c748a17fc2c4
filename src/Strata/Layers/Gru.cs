using Strata.Kernels;
using Strata.Kernels.MatMul;
using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// Keras's GRU on inputs [batch, time, features], from h_0 = 0, gates in Keras's column order z, r, h. This file has
/// the default <c>reset_after=True</c> (Keras 2.3 on, and PyTorch's GRU); Gru.ResetBefore.cs has the older form.
/// Resetting after, the bias is [2, 3·units], an input bias b_x and a recurrent bias b_h, and with
/// x̂ = x_t·W + b_x and ĥ = h_{t−1}·U + b_h:
/// z = σ(x̂_z + ĥ_z), r = σ(x̂_r + ĥ_r), c = φ(x̂_h + r ⊙ ĥ_h), h_t = z ⊙ h_{t−1} + (1 − z) ⊙ c.
/// </summary>
/// <remarks>
/// Backward through time, given dh = ∂L/∂h_t: dA_z = dh ⊙ (h_{t−1} − c), dA_c = dh ⊙ (1 − z); ds = φ'(s) ⊙ dA_c
/// for s = x̂_h + r ⊙ ĥ_h; dA_r = ds ⊙ ĥ_h; dz_z, dz_r through σ'. The input side gets dZ = [dz_z, dz_r, ds], the
/// recurrent side dR = [dz_z, dz_r, ds ⊙ r], and dh_{t−1} = dh ⊙ z + dR·Uᵀ (see <see cref="Recurrent"/>).
/// </remarks>
public sealed partial class Gru : Recurrent, IConfigurableLayer
{
    private Tensor? _a, _rec;
    private int _cachedBatch = -1;
    private Shape _stepsShape;

    /// <param name="units">Size of the state h.</param>
    /// <param name="returnSequences">Output every h_t instead of the last.</param>
    /// <param name="activation">φ, for the candidate; tanh by default.</param>
    /// <param name="recurrentActivation">σ, for the gates z and r; sigmoid by default.</param>
    /// <param name="useBias">Whether the gates have biases.</param>
    /// <param name="resetAfter">
    /// Apply the reset gate after the recurrent product, r ⊙ (h_{t−1}·U_h + b_h), with bias [2, 3·units] (Keras's
    /// default since 2.3, and PyTorch's form); false applies it before, (r ⊙ h_{t−1})·U_h, with bias [3·units].
    /// </param>
    /// <param name="kernelInitializer">W's initializer; glorot_uniform by default.</param>
    /// <param name="recurrentInitializer">U's initializer; orthogonal by default.</param>
    /// <param name="biasInitializer">The biases' initializer; zeros by default.</param>
    /// <param name="inputShape">Per-sample input shape (time, features), for the first layer.</param>
    /// <param name="name">Layer name; by default gru, gru_1, …</param>
    /// <param name="layerNormalization">
    /// Layer-normalize x_t·W (with γ, then b_x) and h_{t−1}·U (with recurrent_gamma, then b_h) apart, as Ba et al. (2016)
    /// do for the GRU (see <see cref="Recurrent"/>); needs <paramref name="resetAfter"/>.
    /// </param>
    public Gru(int units, bool returnSequences = false, ActivationFunction? activation = null,
        ActivationFunction? recurrentActivation = null, bool useBias = true, bool resetAfter = true,
        Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
        int[]? inputShape = null, string? name = null, bool layerNormalization = false)
        : base(units, 3, returnSequences, useBias, kernelInitializer, recurrentInitializer, biasInitializer, inputShape, name, layerNormalization)
    {
        Activation = activation ?? Activations.Tanh;
        RecurrentActivation = recurrentActivation ?? Activations.Sigmoid;
        ResetAfter = resetAfter;
    }

    /// <summary>φ, for the candidate.</summary>
    public ActivationFunction Activation { get; }

    /// <summary>σ, for the gates z and r.</summary>
    public ActivationFunction RecurrentActivation { get; }

    /// <summary>Whether the reset gate multiplies h_{t−1}·U_h + b_h (true) or h_{t−1} before the product (false).</summary>
    public bool ResetAfter { get; }

    private protected override RecurrentProduct Product => ResetAfter ? RecurrentProduct.Separate : RecurrentProduct.InCell;

    private protected override Shape BiasShape => ResetAfter ? new(2, GateWidth) : new(GateWidth);

    /// <summary>Sigmoid gates and tanh go through the fused cell kernels; other activations through one call per gate.</summary>
    private bool Fused => RecurrentActivation is SigmoidActivation && Activation is TanhActivation;

    internal override void WriteConfig(LayerConfigWriter config)
    {
        base.WriteConfig(config);
        config.Activation("activation", Activation);
        config.Activation("recurrent_activation", RecurrentActivation);
        config.Bool("reset_after", ResetAfter);
    }

    static Layer IConfigurableLayer.FromConfig(LayerConfigReader c) =>
        new Gru(c.Int("units", 1), c.Bool("return_sequences"), c.Activation("activation"), c.Activation("recurrent_activation"),
            c.Bool("use_bias"), c.Bool("reset_after"), c.Initializer("kernel_initializer"), c.Initializer("recurrent_initializer"),
            c.Initializer("bias_initializer"), c.InputShape, c.Name, c.Flag("layer_normalization"));

    private protected override void PrepareCell(int batch, int time)
    {
        if (batch != _cachedBatch)
        {
            _cachedBatch = batch;
            _stepsShape = new Shape(time * batch * GateWidth);
        }
        Tensor.Ensure(ref _a, _stepsShape);
        if (ResetAfter) Tensor.Ensure(ref _rec, _stepsShape);
        else PrepareResetBefore(batch, time);
    }

    private protected override void PrepareCellBackward(int batch)
    {
        if (!ResetAfter) PrepareResetBeforeBackward();
    }

    // z: [batch, 3·units] = x_t·W + b_x, overwritten with the pre-activations [z, r, s]; h: [batch, units]
    private protected override void StepForward(int t, int batch, Span<float> z, ReadOnlySpan<float> hPrev, Span<float> h)
    {
        if (!ResetAfter)
        {
            StepForwardResetBefore(t, batch, z, hPrev, h);
            return;
        }
        int u = Units, step = batch * GateWidth;
        var a = _a!.Span.Slice(t * step, step);
        var rec = _rec!.Span.Slice(t * step, step);
        if (t == 0) rec.Clear();                                              // h_0·U = 0
        else Gemm.NN(hPrev, RecurrentKernel.Value, batch, u, GateWidth, 0f, rec);
        if (LayerNormalization) NormalizeRecurrentStep(t, batch, rec);                     // ĥ = γ_h ⊙ LN(h_{t−1}·U) + b_h
        else if (Bias is { } bias) BiasKernels.AddToRows(bias.Value[GateWidth..], batch, rec);   // ĥ = h_{t−1}·U + b_h
        if (Fused)
        {
            GateKernels.GruForward(z, rec, hPrev, batch, u, a, h);
            return;
        }
        RecurrentKernels.AddGates(rec, batch, 3, u, 0, 2, z);                 // z, r pre-activations: x̂ + ĥ
        ActivateGates(RecurrentActivation, z, batch, 3, u, 0, 2, a);
        RecurrentKernels.GruCandidateInput(z, a, rec, batch, u, z);           // s = x̂_h + r ⊙ ĥ_h
        ActivateGates(Activation, z, batch, 3, u, 2, 1, a);  // c = φ(s)
        RecurrentKernels.GruUpdate(a, hPrev, batch, u, h);                    // h_t = z ⊙ h_{t−1} + (1 − z) ⊙ c
    }

    private protected override void StepBackward(int t, int batch, Span<float> dH, ReadOnlySpan<float> z, ReadOnlySpan<float> hPrev,
        ReadOnlySpan<float> h, Span<float> dZ, Span<float> dR, Span<float> dHPrev)
    {
        if (!ResetAfter)
        {
            StepBackwardResetBefore(t, batch, dH, z, hPrev, dZ, dHPrev);
            return;
        }
        int u = Units, step = batch * GateWidth;
        var a = _a!.Span.Slice(t * step, step);
        var rec = _rec!.Span.Slice(t * step, step);
        if (Fused)
        {
            GateKernels.GruBackward(a, rec, hPrev, dH, batch, u, dZ, dR, dHPrev);
            return;
        }
        RecurrentKernels.GruUpdateBackward(a, hPrev, dH, batch, u, dZ, dHPrev);          // dA_z, dA_c; dh_{t−1} = dh ⊙ z
        GateGradients(Activation, z, a, dZ, batch, 3, u, 2, 1, dZ);      // ds = φ'(s) ⊙ dA_c
        RecurrentKernels.GruCandidateBackward(a, rec, dZ, batch, u, dZ, dR);              // dA_r = ds ⊙ ĥ_h; dĥ_h = ds ⊙ r
        GateGradients(RecurrentActivation, z, a, dZ, batch, 3, u, 0, 2, dZ);
        RecurrentKernels.CopyGates(dZ, batch, 3, u, 0, 2, dR);                            // z and r see x̂ and ĥ alike
    }
}
