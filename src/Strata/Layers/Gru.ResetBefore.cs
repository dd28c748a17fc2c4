using Strata.Kernels;
using Strata.Kernels.MatMul;

namespace Strata.Layers;

/// <summary>
/// The GRU with <c>resetAfter: false</c> (Keras before 2.3; Cho et al. 2014): bias [3·units] on the input side only,
/// and the reset gate applied to the state before its product with U_h:
/// x̂ = x_t·W + b; z = σ(x̂_z + h_{t−1}·U_z); r = σ(x̂_r + h_{t−1}·U_r); c = φ(x̂_h + (r ⊙ h_{t−1})·U_h);
/// h_t = z ⊙ h_{t−1} + (1 − z) ⊙ c. U_zr = U[:, 0:2u] and U_h = U[:, 2u:3u] are copied out contiguous at each
/// forward pass, since the two products take different left operands.
/// </summary>
/// <remarks>
/// Backward through time, given dh = ∂L/∂h_t: dA_z = dh ⊙ (h_{t−1} − c), dA_c = dh ⊙ (1 − z), ds = φ'(s) ⊙ dA_c;
/// d(r ⊙ h_{t−1}) = ds·U_hᵀ, so dA_r = d(r ⊙ h) ⊙ h_{t−1}; dz_z, dz_r through σ'. Then
/// dh_{t−1} = dh ⊙ z + d(r ⊙ h) ⊙ r + [dz_z, dz_r]·U_zrᵀ, and after the loop
/// dU_zr += Σ h_{t−1}ᵀ·[dz_z, dz_r]_t and dU_h += Σ (r ⊙ h_{t−1})ᵀ·ds_t, each one GEMM over all steps.
/// </remarks>
public sealed partial class Gru
{
    private Tensor? _uZr, _uH, _rh, _recZr, _recH, _dZr, _dS, _dRh, _dUZr, _dUH;
    private int _resetBeforeBatch = -1;
    private Shape _uZrShape, _uHShape, _statesShape, _zrStepsShape, _zrStateShape, _stateShape;

    private void PrepareResetBefore(int batch, int time)
    {
        int u = Units;
        if (batch != _resetBeforeBatch)
        {
            _resetBeforeBatch = batch;
            _uZrShape = new Shape(u * 2 * u);
            _uHShape = new Shape(u * u);
            _statesShape = new Shape(time * batch * u);
            _zrStepsShape = new Shape(time * batch * 2 * u);
            _zrStateShape = new Shape(batch * 2 * u);
            _stateShape = new Shape(batch * u);
        }
        RecurrentKernels.CopyFromGates(RecurrentKernel.Value, u, 3, u, 0, 2, Tensor.Ensure(ref _uZr, _uZrShape).Span);
        RecurrentKernels.CopyFromGates(RecurrentKernel.Value, u, 3, u, 2, 1, Tensor.Ensure(ref _uH, _uHShape).Span);
        Tensor.Ensure(ref _rh, _statesShape);
        Tensor.Ensure(ref _recZr, _zrStateShape);
        Tensor.Ensure(ref _recH, _stateShape);
    }

    // z: [batch, 3·units] = x_t·W + b, overwritten with the pre-activations; h: [batch, units]
    private void StepForwardResetBefore(int t, int batch, Span<float> z, ReadOnlySpan<float> hPrev, Span<float> h)
    {
        int u = Units, state = batch * u;
        var a = _a!.Span.Slice(t * 3 * state, 3 * state);
        var rh = _rh!.Span.Slice(t * state, state);
        if (t > 0)                                                                       // h_0 = 0 adds nothing
        {
            Gemm.NN(hPrev, _uZr!.Span, batch, u, 2 * u, 0f, _recZr!.Span);
            RecurrentKernels.AddToGates(_recZr.Span, batch, 3, u, 0, 2, z);            // x̂_zr + h_{t−1}·U_zr
        }
        ActivateGates(RecurrentActivation, z, batch, 3, u, 0, 2, a);  // z, r
        RecurrentKernels.MultiplyGate(a, 3, 1, hPrev, batch, u, rh);                    // r ⊙ h_{t−1}
        if (t > 0)
        {
            Gemm.NN(rh, _uH!.Span, batch, u, u, 0f, _recH!.Span);
            RecurrentKernels.AddToGates(_recH.Span, batch, 3, u, 2, 1, z);             // s = x̂_h + (r ⊙ h_{t−1})·U_h
        }
        ActivateGates(Activation, z, batch, 3, u, 2, 1, a);           // c = φ(s)
        RecurrentKernels.GruUpdate(a, hPrev, batch, u, h);                              // h_t = z ⊙ h_{t−1} + (1 − z) ⊙ c
    }

    private void PrepareResetBeforeBackward()
    {
        Tensor.Ensure(ref _dZr, _zrStepsShape);
        Tensor.Ensure(ref _dS, _statesShape);
        Tensor.Ensure(ref _dRh, _stateShape);
    }

    // dZ: [batch, 3·units]; dHPrev receives all of ∂L/∂h_{t−1}
    private void StepBackwardResetBefore(int t, int batch, Span<float> dH, ReadOnlySpan<float> z, ReadOnlySpan<float> hPrev,
        Span<float> dZ, Span<float> dHPrev)
    {
        int u = Units, state = batch * u;
        var a = _a!.Span.Slice(t * 3 * state, 3 * state);
        var ds = _dS!.Span.Slice(t * state, state);
        var dzr = _dZr!.Span.Slice(t * 2 * state, 2 * state);
        var dRh = _dRh!.Span;
        RecurrentKernels.GruUpdateBackward(a, hPrev, dH, batch, u, dZ, dHPrev);              // dA_z, dA_c; dh_{t−1} = dh ⊙ z
        GateGradients(Activation, z, a, dZ, batch, 3, u, 2, 1, dZ);          // ds = φ'(s) ⊙ dA_c
        RecurrentKernels.CopyFromGates(dZ, batch, 3, u, 2, 1, ds);
        Gemm.NT(ds, _uH!.Span, batch, u, u, 0f, dRh);                                         // d(r ⊙ h) = ds·U_hᵀ
        RecurrentKernels.MultiplyIntoGate(dRh, hPrev, batch, 3, u, 1, dZ);                    // dA_r = d(r ⊙ h) ⊙ h_{t−1}
        RecurrentKernels.MultiplyGateAdd(a, 3, 1, dRh, batch, u, dHPrev);                     // dh_{t−1} += d(r ⊙ h) ⊙ r
        GateGradients(RecurrentActivation, z, a, dZ, batch, 3, u, 0, 2, dZ); // dz_z, dz_r
        RecurrentKernels.CopyFromGates(dZ, batch, 3, u, 0, 2, dzr);
        if (t > 0) Gemm.NT(dzr, _uZr!.Span, batch, 2 * u, u, 1f, dHPrev);                   // dh_{t−1} += [dz_z, dz_r]·U_zrᵀ
    }

    private protected override void AccumulateRecurrentGradient(int batch, int time, ReadOnlySpan<float> h)
    {
        if (time < 2) return;                                                   // only h_0 = 0 ever multiplied U
        int u = Units, state = batch * u, rows = (time - 1) * batch;
        var dUZr = Tensor.Ensure(ref _dUZr, _uZrShape).Span;
        var dUH = Tensor.Ensure(ref _dUH, _uHShape).Span;
        Gemm.TN(h.Slice(state, (time - 1) * state), _dZr!.Span[(2 * state)..], u, rows, 2 * u, 0f, dUZr);  // Σ_{t≥1} h_{t−1}ᵀ·dz_zr
        Gemm.TN(_rh!.Span[state..], _dS!.Span[state..], u, rows, u, 0f, dUH);                            // Σ_{t≥1} (r ⊙ h_{t−1})ᵀ·ds
        RecurrentKernels.AddToGates(dUZr, u, 3, u, 0, 2, RecurrentKernel.Gradient);
        RecurrentKernels.AddToGates(dUH, u, 3, u, 2, 1, RecurrentKernel.Gradient);
    }
}
