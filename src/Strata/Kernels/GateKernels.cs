using System.Runtime.CompilerServices;
using Strata.Kernels.Simd;

namespace Strata.Kernels;

/// <summary>
/// Fused LSTM and GRU cells for the usual activations, sigmoid gates and tanh, forward and backward for one time
/// step: one pass over the gates of each row instead of a call per gate and per operation (which costs more than
/// the arithmetic at 32 units). Each cell is a body of the portable vector layer, written once for every width, with
/// σ and tanh from <see cref="VectorMath"/>; <see cref="Reference.ReferenceGateKernels"/> is the scalar twin. Rows: gates side
/// by side, [batch, k·units], in Keras's order (LSTM i, f, g, o; GRU z, r, h); states [batch, units].
/// </summary>
internal static unsafe class GateKernels
{
    /// <summary>
    /// LSTM forward: a = [σ(z_i), σ(z_f), tanh(z_g), σ(z_o)], c = f ⊙ c_{t−1} + i ⊙ g, φ(c) = tanh(c), h = o ⊙ φ(c).
    /// </summary>
    // z, a: [batch, 4·units]; cPrev, c, phiC, h: [batch, units]
    public static void LstmForward(ReadOnlySpan<float> z, ReadOnlySpan<float> cPrev, int batch, int units,
        Span<float> a, Span<float> c, Span<float> phiC, Span<float> h)
    {
        Check(z.Length, a.Length, batch * 4 * units);
        Check(cPrev.Length, c.Length, batch * units);
        Check(phiC.Length, h.Length, batch * units);
        fixed (float* pz = z, pcp = cPrev, pa = a, pc = c, pphi = phiC, ph = h)
            ForRows(new LstmForwardCell { Z = pz, CPrev = pcp, A = pa, C = pc, Phi = pphi, H = ph, Units = units }, batch, units);
    }

    /// <summary>
    /// LSTM backward for one step, given dh = ∂L/∂h_t and the carried dC = ∂L/∂c_t from step t+1:
    /// dc = dC + dh ⊙ o ⊙ (1 − φ²); dz_i = dc ⊙ g ⊙ i(1 − i); dz_f = dc ⊙ c_{t−1} ⊙ f(1 − f); dz_g = dc ⊙ i ⊙ (1 − g²);
    /// dz_o = dh ⊙ φ ⊙ o(1 − o); then dC ← dc ⊙ f (= ∂L/∂c_{t−1}).
    /// </summary>
    // a, dZ: [batch, 4·units]; cPrev, phiC, dH, dC: [batch, units]
    public static void LstmBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> phiC, ReadOnlySpan<float> dH,
        int batch, int units, Span<float> dC, Span<float> dZ)
    {
        Check(a.Length, dZ.Length, batch * 4 * units);
        Check(cPrev.Length, phiC.Length, batch * units);
        Check(dH.Length, dC.Length, batch * units);
        fixed (float* pa = a, pcp = cPrev, pphi = phiC, pdh = dH, pdc = dC, pdz = dZ)
            ForRows(new LstmBackwardCell { A = pa, CPrev = pcp, Phi = pphi, DH = pdh, DC = pdc, DZ = pdz, Units = units }, batch, units);
    }

    /// <summary>
    /// GRU (reset after) forward. On entry z = x_t·W + b_x and rec = h_{t−1}·U + b_h; z becomes the pre-activations
    /// [x_z + rec_z, x_r + rec_r, s = x_h + r ⊙ rec_h], a = [u = σ(·), r = σ(·), c = tanh(s)] (u is Keras's z gate),
    /// and h = u ⊙ h_{t−1} + (1 − u) ⊙ c = c + u ⊙ (h_{t−1} − c).
    /// </summary>
    // z, rec, a: [batch, 3·units]; hPrev, h: [batch, units]
    public static void GruForward(Span<float> z, ReadOnlySpan<float> rec, ReadOnlySpan<float> hPrev, int batch, int units,
        Span<float> a, Span<float> h)
    {
        Check(z.Length, rec.Length, batch * 3 * units);
        Check(a.Length, a.Length, batch * 3 * units);
        Check(hPrev.Length, h.Length, batch * units);
        fixed (float* pz = z, prec = rec, php = hPrev, pa = a, ph = h)
            ForRows(new GruForwardCell { Z = pz, Rec = prec, HPrev = php, A = pa, H = ph, Units = units }, batch, units);
    }

    /// <summary>
    /// GRU (reset after) backward for one step, given dh = ∂L/∂h_t: ds = dh ⊙ (1 − u) ⊙ (1 − c²);
    /// dz_u = dh ⊙ (h_{t−1} − c) ⊙ u(1 − u); dz_r = ds ⊙ rec_h ⊙ r(1 − r). Input side dZ = [dz_u, dz_r, ds], recurrent
    /// side dR = [dz_u, dz_r, ds ⊙ r], and the direct part of ∂L/∂h_{t−1}, dh ⊙ u, into dHPrev.
    /// </summary>
    // a, rec, dZ, dR: [batch, 3·units]; hPrev, dH, dHPrev: [batch, units]
    public static void GruBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> rec, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dH,
        int batch, int units, Span<float> dZ, Span<float> dR, Span<float> dHPrev)
    {
        Check(a.Length, rec.Length, batch * 3 * units);
        Check(dZ.Length, dR.Length, batch * 3 * units);
        Check(hPrev.Length, dH.Length, batch * units);
        Check(dHPrev.Length, dHPrev.Length, batch * units);
        fixed (float* pa = a, prec = rec, php = hPrev, pdh = dH, pdz = dZ, pdr = dR, pdhp = dHPrev)
        {
            var cell = new GruBackwardCell { A = pa, Rec = prec, HPrev = php, DH = pdh, DZ = pdz, DR = pdr, DHPrev = pdhp, Units = units };
            ForRows(cell, batch, units);
        }
    }

    /// <summary>A cell body over the units of one row; <see cref="SetRow"/> moves it to row n.</summary>
    private interface ICell : IVectorBody
    {
        void SetRow(int n);
    }

    /// <summary>Runs a cell over every row at the dispatched width (one dispatch per call, not per row).</summary>
    private static void ForRows<TCell>(TCell cell, int batch, int units) where TCell : struct, ICell
    {
        var job = new RowsJob<TCell> { Cell = cell, Batch = batch, Units = units };
        VectorWidths.Dispatch(ref job);
    }

    private struct RowsJob<TCell> : IWidthJob where TCell : struct, ICell
    {
        public TCell Cell;
        public int Batch, Units;

        public void Run<TV, TW>() where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>
        {
            for (int n = 0; n < Batch; n++)
            {
                Cell.SetRow(n);
                Vectorized.For<TCell, TV>(ref Cell, Units);
            }
        }
    }

    // Each cell addresses gate g of unit j in its row as Gates + g·units + j and a state as States + j.
    private struct LstmForwardCell : ICell
    {
        public float* Z, CPrev, A, C, Phi, H;
        public int Units;
        private nint _gates, _states;

        public void SetRow(int n) => (_gates, _states) = ((nint)n * 4 * Units, (nint)n * Units);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint j) where TV : unmanaged, IVector<TV>
        {
            nint gi = _gates + j, si = _states + j, u = Units;
            var i = VectorMath.Sigmoid(TV.Load(Z + gi));
            var f = VectorMath.Sigmoid(TV.Load(Z + gi + u));
            var g = VectorMath.Tanh(TV.Load(Z + gi + 2 * u));
            var o = VectorMath.Sigmoid(TV.Load(Z + gi + 3 * u));
            TV.Store(i, A + gi);
            TV.Store(f, A + gi + u);
            TV.Store(g, A + gi + 2 * u);
            TV.Store(o, A + gi + 3 * u);
            var cell = f * TV.Load(CPrev + si) + i * g;
            var phi = VectorMath.Tanh(cell);
            TV.Store(cell, C + si);
            TV.Store(phi, Phi + si);
            TV.Store(o * phi, H + si);
        }
    }

    private struct LstmBackwardCell : ICell
    {
        public float* A, CPrev, Phi, DH, DC, DZ;
        public int Units;
        private nint _gates, _states;

        public void SetRow(int n) => (_gates, _states) = ((nint)n * 4 * Units, (nint)n * Units);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint j) where TV : unmanaged, IVector<TV>
        {
            nint gi = _gates + j, si = _states + j, u = Units;
            var one = TV.One;
            var i = TV.Load(A + gi);
            var f = TV.Load(A + gi + u);
            var g = TV.Load(A + gi + 2 * u);
            var o = TV.Load(A + gi + 3 * u);
            var dh = TV.Load(DH + si);
            var phi = TV.Load(Phi + si);
            var dc = TV.Load(DC + si) + dh * o * (one - phi * phi);
            TV.Store(dc * g * i * (one - i), DZ + gi);
            TV.Store(dc * TV.Load(CPrev + si) * f * (one - f), DZ + gi + u);
            TV.Store(dc * i * (one - g * g), DZ + gi + 2 * u);
            TV.Store(dh * phi * o * (one - o), DZ + gi + 3 * u);
            TV.Store(dc * f, DC + si);
        }
    }

    private struct GruForwardCell : ICell
    {
        public float* Z, Rec, HPrev, A, H;
        public int Units;
        private nint _gates, _states;

        public void SetRow(int n) => (_gates, _states) = ((nint)n * 3 * Units, (nint)n * Units);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint j) where TV : unmanaged, IVector<TV>
        {
            nint gi = _gates + j, si = _states + j, u = Units;
            var sz = TV.Load(Z + gi) + TV.Load(Rec + gi);
            var sr = TV.Load(Z + gi + u) + TV.Load(Rec + gi + u);
            var update = VectorMath.Sigmoid(sz);
            var r = VectorMath.Sigmoid(sr);
            var s = TV.Load(Z + gi + 2 * u) + r * TV.Load(Rec + gi + 2 * u);
            var cand = VectorMath.Tanh(s);
            TV.Store(sz, Z + gi);
            TV.Store(sr, Z + gi + u);
            TV.Store(s, Z + gi + 2 * u);
            TV.Store(update, A + gi);
            TV.Store(r, A + gi + u);
            TV.Store(cand, A + gi + 2 * u);
            TV.Store(cand + update * (TV.Load(HPrev + si) - cand), H + si);
        }
    }

    private struct GruBackwardCell : ICell
    {
        public float* A, Rec, HPrev, DH, DZ, DR, DHPrev;
        public int Units;
        private nint _gates, _states;

        public void SetRow(int n) => (_gates, _states) = ((nint)n * 3 * Units, (nint)n * Units);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint j) where TV : unmanaged, IVector<TV>
        {
            nint gi = _gates + j, si = _states + j, u = Units;
            var one = TV.One;
            var update = TV.Load(A + gi);
            var r = TV.Load(A + gi + u);
            var cand = TV.Load(A + gi + 2 * u);
            var dh = TV.Load(DH + si);
            var ds = dh * (one - update) * (one - cand * cand);
            var dzu = dh * (TV.Load(HPrev + si) - cand) * update * (one - update);
            var dzr = ds * TV.Load(Rec + gi + 2 * u) * r * (one - r);
            TV.Store(dzu, DZ + gi);
            TV.Store(dzu, DR + gi);
            TV.Store(dzr, DZ + gi + u);
            TV.Store(dzr, DR + gi + u);
            TV.Store(ds, DZ + gi + 2 * u);
            TV.Store(ds * r, DR + gi + 2 * u);
            TV.Store(dh * update, DHPrev + si);
        }
    }

    private static void Check(int first, int second, int needed)
    {
        if (first < needed || second < needed)
            throw new ArgumentException($"Spans of {first} and {second} values where {needed} are needed.");
    }
}
