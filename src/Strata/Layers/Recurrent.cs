using Strata.Kernels;
using Strata.Kernels.MatMul;
using Strata.Serialization;

namespace Strata.Layers;

/// <summary>
/// What SimpleRnn, Lstm and Gru share: input [batch, time, features], a kernel W [features, k·units] and a
/// recurrent kernel U [units, k·units] whose column blocks are the k gates (Keras's layout), a zero initial
/// state, and output h_T [batch, units] or, with <see cref="ReturnSequences"/>, every h_t [batch, time, units].
/// </summary>
/// <remarks>
/// <para>
/// Forward: the input is copied time-major, x̃ [time·batch, features], and its projection for all steps is one
/// GEMM, Z = x̃·W + b [time·batch, k·units]. Step t then adds h_{t−1}·U to its block of Z (or, for the GRU, keeps
/// it apart) and applies the cell (<see cref="StepForward"/>). States h_0 = 0, h_1 … h_T are kept time-major too.
/// </para>
/// <para>
/// Backward through time: t runs from T−1 down to 0 with dh_t = ∂L/∂y_t (only at T−1 without sequences) +
/// the gradient arriving from step t+1. The cell turns dh_t into the pre-activation gradients of step t,
/// dZ_t (input side) and dR_t (recurrent side; the same array except for the GRU), and
/// dh_{t−1} = (direct cell path) + dR_t·Uᵀ. The weight gradients are sums over steps, so they are taken
/// after the loop as three large GEMMs instead of 2T small ones: dW += x̃ᵀ·dZ, dU += H_{0..T−1}ᵀ·dR,
/// db += Σ_rows dZ (and Σ_rows dR for a separate recurrent bias), and dX = dZ·Wᵀ, swapped back to batch-major.
/// </para>
/// <para>
/// With <see cref="LayerNormalization"/>, the pre-activations of every step are layer-normalized
/// before the cell, as Ba et al. (2016, §3.1) normalize a recurrent layer's summed inputs:
/// Z_t = γ ⊙ LN(x_t·W + h_{t−1}·U) + b, LN over each row's k·units values (all gates together) with
/// ε = <see cref="LayerNormEpsilon"/>, γ a new weight <c>gamma</c> [k·units] (ones at first) and the bias b acting as
/// LN's β. The sum is normalized, not x_t·W and h_{t−1}·U apart (Ba et al.'s LSTM variant, which doubles γ and β):
/// one normalization per step, and the recurrent product stays where it is for every cell. The cell state of an LSTM
/// is not normalized. Backward, the cell's gradient dZ̃_t goes through the normalization
/// (<see cref="GroupNormKernels.BackwardInput"/>) before it reaches U, W and h_{t−1}; dγ = Σ dZ̃ ⊙ x̂ and db = Σ dZ̃.
/// A GRU that resets after the product keeps h_{t−1}·U apart (its candidate reads r ⊙ (h_{t−1}·U_h + b_h)), so the two
/// products are normalized apart, as Ba et al. do for their GRU: x_t·W with γ and b_x, h_{t−1}·U with a second
/// weight <c>recurrent_gamma</c> [3·units] and b_h (<see cref="NormalizeRecurrentStep"/>); backward, dR̃_t goes through
/// the second normalization before it reaches U and h_{t−1}.
/// </para>
/// </remarks>
public abstract class Recurrent : Layer
{
    private Tensor? _xT, _z, _h, _y, _dZ, _dR, _dH, _dHPrev, _dxT, _dx;
    private int _batch = -1, _time, _features;
    private bool _trained;
    private Shape _xTShape, _zShape, _hShape, _yShape, _stateShape, _xShape;
    // Layer normalization of the pre-activations: x̂ and 1/σ of every step's rows, the gradient of the normalized Z̃.
    private Tensor? _xHat, _dZNormalized;
    private Tensor? _xHatRecurrent, _dRNormalized;
    private float[] _invStd = [], _invStdRecurrent = [], _ones = [], _zeros = [], _sumDy = [], _sumDyXHat = [];
    private double[] _accumulator = [];

    private protected Recurrent(int units, int gates, bool returnSequences, bool useBias, Initializer? kernelInitializer,
        Initializer? recurrentInitializer, Initializer? biasInitializer, int[]? inputShape, string? name, bool layerNormalization = false)
        : base(name, inputShape)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(units);
        Units = units;
        Gates = gates;
        ReturnSequences = returnSequences;
        UseBias = useBias;
        LayerNormalization = layerNormalization;
        KernelInitializer = kernelInitializer ?? Initializers.GlorotUniform;
        RecurrentInitializer = recurrentInitializer ?? Initializers.Orthogonal;
        BiasInitializer = biasInitializer ?? Initializers.Zeros;
    }

    /// <summary>Size of the state h (and of each gate).</summary>
    public int Units { get; }

    /// <summary>Whether the output is every h_t [batch, time, units] rather than h_T [batch, units].</summary>
    public bool ReturnSequences { get; }

    /// <summary>Whether the gates have a bias.</summary>
    public bool UseBias { get; }

    /// <summary>Whether each step's pre-activations are layer-normalized (see the remarks).</summary>
    public bool LayerNormalization { get; }

    /// <summary>The ε of the pre-activations' layer normalization: Keras's LayerNormalization default.</summary>
    public const float LayerNormEpsilon = 1e-3f;

    /// <summary>Initializer of W; glorot_uniform by default, as in Keras.</summary>
    public Initializer KernelInitializer { get; }

    /// <summary>Initializer of U; orthogonal by default, as in Keras.</summary>
    public Initializer RecurrentInitializer { get; }

    /// <summary>Initializer of b; zeros by default.</summary>
    public Initializer BiasInitializer { get; }

    /// <summary>The settings every recurrent layer has; each type adds its activations.</summary>
    internal override void WriteConfig(LayerConfigWriter config)
    {
        config.Int("units", Units);
        config.Bool("return_sequences", ReturnSequences);
        config.Bool("use_bias", UseBias);
        config.Initializer("kernel_initializer", KernelInitializer);
        config.Initializer("recurrent_initializer", RecurrentInitializer);
        config.Initializer("bias_initializer", BiasInitializer);
        if (LayerNormalization) config.Bool("layer_normalization", true);
    }

    /// <summary>W: [features, k·units], gates in Keras's column order.</summary>
    public Weight Kernel { get; private set; } = null!;

    /// <summary>U: [units, k·units].</summary>
    public Weight RecurrentKernel { get; private set; } = null!;

    /// <summary>b: [k·units] ([2, 3·units] for a GRU that resets after the product), or null without bias.</summary>
    public Weight? Bias { get; private set; }

    /// <summary>γ [k·units] of the pre-activations' layer normalization, or null without <see cref="LayerNormalization"/>.</summary>
    public Weight? Gamma { get; private set; }

    /// <summary>
    /// γ [k·units] of the normalization of h_{t−1}·U when it is kept apart from x_t·W (a GRU that resets after the
    /// product), or null.
    /// </summary>
    public Weight? RecurrentGamma { get; private set; }

    /// <summary>Number of gate blocks k in the columns of W and U (1, 4 or 3).</summary>
    private protected int Gates { get; }

    /// <summary>k·units, the width of one row of Z.</summary>
    private protected int GateWidth => Gates * Units;

    /// <summary>Where the recurrent product h_{t−1}·U is formed and differentiated.</summary>
    private protected enum RecurrentProduct
    {
        /// <summary>Added into Z_t by the base; dR = dZ and dh_{t−1} = dZ_t·Uᵀ (SimpleRnn, Lstm).</summary>
        InZ,

        /// <summary>
        /// Formed by the cell apart from Z (the GRU's reset-after candidate needs h_{t−1}·U + b_h on its own); the cell
        /// writes dR_t and the direct part of dh_{t−1}, the base adds dR_t·Uᵀ and takes dU and the recurrent bias from dR.
        /// </summary>
        Separate,

        /// <summary>Formed and differentiated by the cell alone, dh_{t−1} and dU included (the GRU resetting before).</summary>
        InCell,
    }

    /// <summary>How this cell uses U; <see cref="RecurrentProduct.InZ"/> unless overridden.</summary>
    private protected virtual RecurrentProduct Product => RecurrentProduct.InZ;

    /// <summary>The bias shape; [k·units] unless a subclass keeps a separate recurrent bias.</summary>
    private protected virtual Shape BiasShape => new(GateWidth);

    /// <summary>The bias added to Z: the first k·units values of b.</summary>
    private protected ReadOnlySpan<float> InputBias => Bias is { } b ? b.Value[..GateWidth] : default;

    protected override Shape OnBuild(Shape inputShape, Random random)
    {
        if (inputShape.Rank != 2 || inputShape[0] == 0 || inputShape[1] == 0)
            throw new ArgumentException(
                $"Layer '{Name}' ({TypeName}) expects inputs of rank 3, (batch, time, features), with time and features non-zero; got {inputShape.ToBatchString()}.");
        Kernel = AddWeight("kernel", new Shape(inputShape[1], GateWidth), KernelInitializer, trainable: true, random);
        RecurrentKernel = AddWeight("recurrent_kernel", new Shape(Units, GateWidth), RecurrentInitializer, trainable: true, random);
        if (UseBias)
        {
            Bias = AddWeight("bias", BiasShape, Initializers.Zeros, trainable: true, random);
            if (FillsNewWeights) InitializeBias(Bias.Value, random);
        }
        if (LayerNormalization)
        {
            if (Product == RecurrentProduct.InCell)
                throw new NotSupportedException($"Layer '{Name}' ({TypeName}) multiplies U by r ⊙ h_{{t−1}} inside its cell, so it has no layer normalization of h·U; a GRU with resetAfter: true has.");
            Gamma = AddWeight("gamma", new Shape(GateWidth), Initializers.Ones, trainable: true, random);
            if (Product == RecurrentProduct.Separate)
                RecurrentGamma = AddWeight("recurrent_gamma", new Shape(GateWidth), Initializers.Ones, trainable: true, random);
            _ones = new float[GateWidth];
            Array.Fill(_ones, 1f);
            (_zeros, _sumDy, _sumDyXHat) = (new float[GateWidth], new float[GateWidth], new float[GateWidth]);
        }
        return ReturnSequences ? new Shape(inputShape[0], Units) : new Shape(Units);
    }

    internal override void Reinitialize(Random random)
    {
        base.Reinitialize(random); // b = 0
        if (Bias is { } bias) InitializeBias(bias.Value, random);
    }

    /// <summary>Fills b (zeros on entry); by default with <see cref="BiasInitializer"/> over the whole shape.</summary>
    private protected virtual void InitializeBias(Span<float> bias, Random random) => BiasInitializer.Fill(BiasShape, random, bias);

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        int batch = x.Shape[0], time = InputShape[0], features = InputShape[1], width = GateWidth, units = Units;
        Prepare(batch, time, features);
        var xT = Tensor.Ensure(ref _xT, _xTShape);
        var z = Tensor.Ensure(ref _z, _zShape);
        var h = Tensor.Ensure(ref _h, _hShape);
        RecurrentKernels.SwapLeadingAxes(x.Span, batch, time, features, xT.Span);
        Gemm.NN(xT.Span, Kernel.Value, time * batch, features, width, 0f, z.Span);     // Z = x̃·W for every step
        if (UseBias && !LayerNormalization) BiasKernels.AddToRows(InputBias, time * batch, z.Span);   //   + b
        int stateSize = batch * units, stepSize = batch * width;
        h.Span[..stateSize].Clear();                                                   // h_0 = 0
        PrepareCell(batch, time);
        var xHat = LayerNormalization && training ? Tensor.Ensure(ref _xHat, _zShape).Span : default;
        if (LayerNormalization && _invStd.Length < time * batch) _invStd = new float[time * batch];
        if (RecurrentGamma is not null)
        {
            if (_invStdRecurrent.Length < time * batch) _invStdRecurrent = new float[time * batch];
            _recurrentXHat = training ? Tensor.Ensure(ref _xHatRecurrent, _zShape) : null;
        }
        for (int t = 0; t < time; t++)
        {
            var hPrev = h.Span.Slice(t * stateSize, stateSize);
            var zt = z.Span.Slice(t * stepSize, stepSize);
            if (t > 0 && Product == RecurrentProduct.InZ)
                Gemm.NN(hPrev, RecurrentKernel.Value, batch, units, width, 1f, zt);   // Z_t += h_{t−1}·U
            if (LayerNormalization)                                                    // Z_t ← γ ⊙ LN(Z_t) + b
            {
                GroupNormKernels.Forward(zt, batch, 1, 1, width, Gamma!.Value, UseBias ? InputBias : _zeros, LayerNormEpsilon,
                    _invStd.AsSpan(t * batch, batch), xHat.IsEmpty ? default : xHat.Slice(t * stepSize, stepSize), zt);
            }
            StepForward(t, batch, zt, hPrev, h.Span.Slice((t + 1) * stateSize, stateSize));
        }
        var y = Tensor.Ensure(ref _y, _yShape);
        if (ReturnSequences)
            RecurrentKernels.SwapLeadingAxes(h.Span[stateSize..], time, batch, units, y.Span);
        else
            h.Span.Slice(time * stateSize, stateSize).CopyTo(y.Span);
        _trained = training;
        return y;
    }

    public override Tensor Backward(Tensor dy)
    {
        CheckGradient(dy, _trained ? _y : null);
        int batch = _batch, time = _time, features = _features, width = GateWidth, units = Units;
        int stateSize = batch * units, stepSize = batch * width;
        var dZ = Tensor.Ensure(ref _dZ, _zShape);
        var dR = Product == RecurrentProduct.Separate ? Tensor.Ensure(ref _dR, _zShape) : dZ;
        // With layer normalization the cell writes dZ̃ (the gradient of the normalized pre-activations) apart.
        var dZCell = LayerNormalization ? Tensor.Ensure(ref _dZNormalized, _zShape) : dZ;
        var dRCell = RecurrentGamma is not null ? Tensor.Ensure(ref _dRNormalized, _zShape) : dR;
        var dH = Tensor.Ensure(ref _dH, _stateShape);
        var dHPrev = Tensor.Ensure(ref _dHPrev, _stateShape);
        var h = _h!.Span;
        dH.Span.Clear();
        if (!ReturnSequences) dy.Span.CopyTo(dH.Span);
        PrepareCellBackward(batch);
        for (int t = time - 1; t >= 0; t--)
        {
            if (ReturnSequences) RecurrentKernels.AddStep(dy.Span, t, batch, time, units, dH.Span);   // dh_t += ∂L/∂y_t
            var dRt = dR.Span.Slice(t * stepSize, stepSize);
            StepBackward(t, batch, dH.Span, _z!.Span.Slice(t * stepSize, stepSize), h.Slice(t * stateSize, stateSize),
                h.Slice((t + 1) * stateSize, stateSize), dZCell.Span.Slice(t * stepSize, stepSize), dRCell.Span.Slice(t * stepSize, stepSize), dHPrev.Span);
            if (LayerNormalization)                                                     // dZ_t = LN'(dZ̃_t)
            {
                GroupNormKernels.BackwardInput(_xHat!.Span.Slice(t * stepSize, stepSize), dZCell.Span.Slice(t * stepSize, stepSize),
                    batch, 1, 1, width, Gamma!.Value, _invStd.AsSpan(t * batch, batch), dZ.Span.Slice(t * stepSize, stepSize));
            }
            if (RecurrentGamma is { } recurrentGamma)                                  // dR_t = LN'(dR̃_t)
            {
                GroupNormKernels.BackwardInput(_xHatRecurrent!.Span.Slice(t * stepSize, stepSize), dRCell.Span.Slice(t * stepSize, stepSize),
                    batch, 1, 1, width, recurrentGamma.Value, _invStdRecurrent.AsSpan(t * batch, batch), dRt);
            }
            if (t == 0) break;                                                          // h_0 is a constant
            // dh_{t−1} = (direct path, written by a Separate cell) + dR_t·Uᵀ; an InCell cell wrote all of it
            if (Product != RecurrentProduct.InCell)
                Gemm.NT(dRt, RecurrentKernel.Value, batch, width, units, Product == RecurrentProduct.Separate ? 1f : 0f, dHPrev.Span);
            (dH, dHPrev) = (dHPrev, dH);
        }
        int rows = time * batch;
        if (Trainable)
        {
            Gemm.TN(_xT!.Span, dZ.Span, features, rows, width, 1f, Kernel.Gradient);          // dW += x̃ᵀ·dZ
            // dU += Σ_{t≥1} h_{t−1}ᵀ·dR_t (step 0 multiplies h_0 = 0)
            if (Product == RecurrentProduct.InCell)
                AccumulateRecurrentGradient(batch, time, h);
            else if (time > 1)
                Gemm.TN(h.Slice(stateSize, (time - 1) * stateSize), dR.Span[stepSize..], units, rows - batch, width, 1f, RecurrentKernel.Gradient);
            if (LayerNormalization)
            {
                AccumulateNormalizationGradients(_xHat!.Span, _dZNormalized!.Span, rows, width, Gamma!, Bias is { } b ? b.Gradient[..width] : []);
                if (RecurrentGamma is { } recurrentGamma)
                    AccumulateNormalizationGradients(_xHatRecurrent!.Span, _dRNormalized!.Span, rows, width, recurrentGamma, Bias is { } br ? br.Gradient[width..] : []);
            }
            else if (Bias is { } bias)
            {
                BiasKernels.AccumulateRowSums(dZ.Span, rows, bias.Gradient[..width]);         // db += Σ dZ
                if (Product == RecurrentProduct.Separate)
                    BiasKernels.AccumulateRowSums(dR.Span, rows, bias.Gradient[width..]);     // db_rec += Σ dR
            }
        }
        if (!NeedsInputGradient) return NoGradient;
        var dxT = Tensor.Ensure(ref _dxT, _xTShape);
        Gemm.NT(dZ.Span, Kernel.Value, rows, width, features, 0f, dxT.Span);                  // dX̃ = dZ·Wᵀ
        var dx = Tensor.Ensure(ref _dx, _xShape);
        RecurrentKernels.SwapLeadingAxes(dxT.Span, time, batch, features, dx.Span);
        return dx;
    }

    /// <summary>
    /// dγ += Σ dZ̃ ⊙ x̂ and db += Σ dZ̃ over all steps' rows: BatchNorm's column sums, with x̂ for x and a zero mean.
    /// </summary>
    private void AccumulateNormalizationGradients(ReadOnlySpan<float> xHat, ReadOnlySpan<float> dNormalized, int rows, int width,
        Weight gamma, Span<float> biasGradient)
    {
        int scratch = BatchNormKernels.ScratchLength(rows, width, 1);
        if (_accumulator.Length < scratch) _accumulator = new double[scratch];
        BatchNormKernels.BackwardSums(xHat, dNormalized, _zeros, rows, width, 1, _accumulator, _sumDy, _sumDyXHat);
        BatchNormChannelKernels.ParameterGradients(_sumDy, _sumDyXHat, _ones, [], [], gamma.Gradient, biasGradient);
    }

    private Tensor? _recurrentXHat;

    /// <summary>
    /// ĥ ← γ_h ⊙ LN(ĥ) + b_h for the recurrent product ĥ = h_{t−1}·U [batch, k·units] of step t, when it is kept apart
    /// (<see cref="RecurrentGamma"/>); in training, keeps x̂ and 1/σ for Backward. At t = 0, ĥ = 0 normalizes to 0, so b_h.
    /// </summary>
    private protected void NormalizeRecurrentStep(int t, int batch, Span<float> recurrent)
    {
        int stepSize = batch * GateWidth;
        GroupNormKernels.Forward(recurrent, batch, 1, 1, GateWidth, RecurrentGamma!.Value, Bias is { } b ? b.Value[GateWidth..] : _zeros,
            LayerNormEpsilon, _invStdRecurrent.AsSpan(t * batch, batch), _recurrentXHat is { } xHat ? xHat.Span.Slice(t * stepSize, stepSize) : default, recurrent);
    }

    /// <summary>
    /// Step t of the forward pass. <paramref name="z"/> [batch, k·units] holds x_t·W + b (plus h_{t−1}·U when the
    /// <see cref="Product"/> is InZ, and not at t = 0 where h_0 = 0); the cell may overwrite it with
    /// its pre-activations and writes h_t into <paramref name="h"/>.
    /// </summary>
    private protected abstract void StepForward(int t, int batch, Span<float> z, ReadOnlySpan<float> hPrev, Span<float> h);

    /// <summary>
    /// Step t of backpropagation through time, given the forward's <paramref name="z"/> (as the cell left it),
    /// h_{t−1} and h_t. <paramref name="dH"/> = ∂L/∂h_t (the cell may overwrite it). The cell
    /// writes dZ_t (input-side pre-activation gradient) and, per <see cref="Product"/>: nothing more (InZ: dR_t is
    /// dZ_t), dR_t (the gradient of h_{t−1}·U) and the part of ∂L/∂h_{t−1} that does not go through U (Separate),
    /// or all of ∂L/∂h_{t−1} (InCell), into <paramref name="dHPrev"/>.
    /// </summary>
    private protected abstract void StepBackward(int t, int batch, Span<float> dH, ReadOnlySpan<float> z, ReadOnlySpan<float> hPrev,
        ReadOnlySpan<float> h, Span<float> dZ, Span<float> dR, Span<float> dHPrev);

    /// <summary>
    /// dU += ∂L/∂U after the backward loop, for an <see cref="RecurrentProduct.InCell"/> cell; <paramref name="h"/> holds
    /// h_0 … h_T time-major.
    /// </summary>
    private protected virtual void AccumulateRecurrentGradient(int batch, int time, ReadOnlySpan<float> h) =>
        throw new InvalidOperationException($"Layer '{Name}' forms h·U in its cell but does not take its gradient.");

    /// <summary>Called before the time loop of Forward, to size the cell's own per-step caches.</summary>
    private protected virtual void PrepareCell(int batch, int time) { }

    /// <summary>Called before the time loop of Backward (an LSTM clears its carried dc here).</summary>
    private protected virtual void PrepareCellBackward(int batch) { }

    /// <summary>Caches the shapes of one batch size so steady steps allocate nothing.</summary>
    private void Prepare(int batch, int time, int features)
    {
        if (batch == _batch) return;
        _batch = batch;
        _time = time;
        _features = features;
        _xShape = new Shape(batch, time, features);
        _xTShape = new Shape(time * batch * features);
        _zShape = new Shape(time * batch * GateWidth);
        _hShape = new Shape((time + 1) * batch * Units);
        _stateShape = new Shape(batch * Units);
        _yShape = ReturnSequences ? new Shape(batch, time, Units) : new Shape(batch, Units);
    }

    /// <summary>
    /// Applies an activation to gate <paramref name="gate"/> (of <paramref name="gates"/>) in every row:
    /// a[n, g·u:(g+1)·u] = φ(z[n, g·u:(g+1)·u]); <paramref name="count"/> adjacent gates at once (softmax stays per gate).
    /// </summary>
    // z, a: [batch, gates·units]
    private protected static void ActivateGates(ActivationFunction phi, ReadOnlySpan<float> z, int batch, int gates, int units,
        int gate, int count, Span<float> a)
    {
        int width = gates * units, offset = gate * units, length = count * units;
        for (int n = 0; n < batch; n++)
        {
            int start = n * width + offset;
            phi.Forward(z.Slice(start, length), a.Slice(start, length), count, units);
        }
    }

    /// <summary>dZ = φ'(z)·dA on gates [gate, gate + count) of every row, given the cached z and a = φ(z). dZ may alias dA.</summary>
    // z, a, dA, dZ: [batch, gates·units]
    private protected static void GateGradients(ActivationFunction phi, ReadOnlySpan<float> z, ReadOnlySpan<float> a, ReadOnlySpan<float> dA,
        int batch, int gates, int units, int gate, int count, Span<float> dZ)
    {
        int width = gates * units, offset = gate * units, length = count * units;
        for (int n = 0; n < batch; n++)
        {
            int start = n * width + offset;
            phi.Backward(z.Slice(start, length), a.Slice(start, length), dA.Slice(start, length), dZ.Slice(start, length), count, units);
        }
    }
}
