using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Strata.Kernels;

/// <summary>
/// Fused LSTM and GRU cells for the usual activations, sigmoid gates and tanh, forward and backward for one time
/// step: one pass over the gates of each row instead of a call per gate and per operation (which costs more than
/// the arithmetic at 32 units). Vector512 loops over the units with a scalar tail through
/// <see cref="ReferenceGateKernels"/>, the scalar twin. Rows: gates side by side, [batch, k·units], in Keras's
/// order (LSTM i, f, g, o; GRU z, r, h); states [batch, units].
/// </summary>
/// <remarks>
/// Vector sigmoid and tanh use our own e^x for x ≤ 0 (with Vector512.Exp the LSTM forward cell took 7.8 µs per step at
/// batch 32 and 32 units, with this one 4.6 µs, both on a busy machine), written so that neither can overflow and tanh
/// keeps its relative accuracy near 0; both agree with the scalar σ and tanh to about 1e-7.
/// </remarks>
internal static class GateKernels
{
    private static int Width => Vector512<float>.Count;

    // exp(x) = 2^k·e^r with k = round(x / ln 2) and |r| ≤ ln 2 / 2 (ln 2 split in two parts so r is exact to float
    // rounding); e^r − 1 by its Taylor series to r⁷, whose remainder r⁸/8! < 6e-9 there.
    private const float Log2E = 1.44269504f, Ln2High = 0.693359375f, Ln2Low = -2.12194440e-4f;
    private const float ExpMin = -87.33f; // below it e^x is under float's smallest normal (1.18e-38) and is taken as 0

    /// <summary>
    /// The two parts of e^x = s·(1 + q) for x ≤ 0: the power of two s = 2^k (0 below <see cref="ExpMin"/>) and
    /// q = e^r − 1. e^x − 1 = s·q + (s − 1) keeps its relative accuracy near 0, where k = 0 and it is q itself.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> S, Vector512<float> Q) ExpParts(Vector512<float> x)
    {
        var clamped = Vector512.Max(x, Vector512.Create(ExpMin));
        var k = Vector512.Round(clamped * Vector512.Create(Log2E));
        var r = clamped - k * Vector512.Create(Ln2High) - k * Vector512.Create(Ln2Low);
        var q = Vector512.Create(1f / 5040f);
        q = q * r + Vector512.Create(1f / 720f);
        q = q * r + Vector512.Create(1f / 120f);
        q = q * r + Vector512.Create(1f / 24f);
        q = q * r + Vector512.Create(1f / 6f);
        q = q * r + Vector512.Create(0.5f);
        q = q * r + Vector512<float>.One;
        q *= r;
        var s = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(ExpMin)), Vector512<float>.Zero, ShiftExponent(k));
        return (s, q);
    }

    /// <summary>2^k for integral k in [−126, 0], built in the exponent bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ShiftExponent(Vector512<float> k) =>
        Vector512.ShiftLeft(Vector512.ConvertToInt32(k) + Vector512.Create(127), 23).AsSingle();

    /// <summary>σ(x) = 1/(1 + e) for x ≥ 0 and e/(1 + e) for x &lt; 0, with e = e^(−|x|) ≤ 1, which cannot overflow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Sigmoid(Vector512<float> x)
    {
        var (s, q) = ExpParts(-Vector512.Abs(x));
        var e = s + s * q;
        var onePlus = Vector512<float>.One + e;
        var y = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), e, Vector512<float>.One) / onePlus;
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), y, x); // NaN stays NaN
    }

    /// <summary>tanh(x) = sign(x)·(−m)/(2 + m) with m = e^(−2|x|) − 1, accurate near 0 because m is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Tanh(Vector512<float> x)
    {
        var (s, q) = ExpParts(Vector512.Create(-2f) * Vector512.Abs(x));
        var m = s * q + (s - Vector512<float>.One);
        var t = -m / (Vector512.Create(2f) + m);
        var y = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), -t, t);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), y, x); // NaN stays NaN
    }

    /// <summary>
    /// LSTM forward: a = [σ(z_i), σ(z_f), tanh(z_g), σ(z_o)], c = f ⊙ c_{t−1} + i ⊙ g, φ(c) = tanh(c), h = o ⊙ φ(c).
    /// </summary>
    // z, a: [batch, 4·units]; cPrev, c, phiC, h: [batch, units]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LstmForward(ReadOnlySpan<float> z, ReadOnlySpan<float> cPrev, int batch, int units,
        Span<float> a, Span<float> c, Span<float> phiC, Span<float> h)
    {
        Check(z.Length, a.Length, batch * 4 * units);
        Check(cPrev.Length, c.Length, batch * units);
        Check(phiC.Length, h.Length, batch * units);
        ref float pz = ref MemoryMarshal.GetReference(z);
        ref float pcp = ref MemoryMarshal.GetReference(cPrev);
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float pc = ref MemoryMarshal.GetReference(c);
        ref float pphi = ref MemoryMarshal.GetReference(phiC);
        ref float ph = ref MemoryMarshal.GetReference(h);
        nuint u = (nuint)units;
        for (int n = 0; n < batch; n++)
        {
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j <= units - Width; j += Width)
                {
                    nuint gi = (nuint)(n * 4 * units + j), si = (nuint)(n * units + j);
                    var i = Sigmoid(Vector512.LoadUnsafe(ref pz, gi));
                    var f = Sigmoid(Vector512.LoadUnsafe(ref pz, gi + u));
                    var g = Tanh(Vector512.LoadUnsafe(ref pz, gi + 2 * u));
                    var o = Sigmoid(Vector512.LoadUnsafe(ref pz, gi + 3 * u));
                    i.StoreUnsafe(ref pa, gi);
                    f.StoreUnsafe(ref pa, gi + u);
                    g.StoreUnsafe(ref pa, gi + 2 * u);
                    o.StoreUnsafe(ref pa, gi + 3 * u);
                    var cell = f * Vector512.LoadUnsafe(ref pcp, si) + i * g;
                    var phi = Tanh(cell);
                    cell.StoreUnsafe(ref pc, si);
                    phi.StoreUnsafe(ref pphi, si);
                    (o * phi).StoreUnsafe(ref ph, si);
                }
            }
            for (; j < units; j++)
                ReferenceGateKernels.LstmForwardElement(z, cPrev, n * 4 * units + j, n * units + j, units, a, c, phiC, h);
        }
    }

    /// <summary>
    /// LSTM backward for one step, given dh = ∂L/∂h_t and the carried dC = ∂L/∂c_t from step t+1:
    /// dc = dC + dh ⊙ o ⊙ (1 − φ²); dz_i = dc ⊙ g ⊙ i(1 − i); dz_f = dc ⊙ c_{t−1} ⊙ f(1 − f); dz_g = dc ⊙ i ⊙ (1 − g²);
    /// dz_o = dh ⊙ φ ⊙ o(1 − o); then dC ← dc ⊙ f (= ∂L/∂c_{t−1}).
    /// </summary>
    // a, dZ: [batch, 4·units]; cPrev, phiC, dH, dC: [batch, units]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LstmBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> phiC, ReadOnlySpan<float> dH,
        int batch, int units, Span<float> dC, Span<float> dZ)
    {
        Check(a.Length, dZ.Length, batch * 4 * units);
        Check(cPrev.Length, phiC.Length, batch * units);
        Check(dH.Length, dC.Length, batch * units);
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float pcp = ref MemoryMarshal.GetReference(cPrev);
        ref float pphi = ref MemoryMarshal.GetReference(phiC);
        ref float pdh = ref MemoryMarshal.GetReference(dH);
        ref float pdc = ref MemoryMarshal.GetReference(dC);
        ref float pdz = ref MemoryMarshal.GetReference(dZ);
        nuint u = (nuint)units;
        var one = Vector512<float>.One;
        for (int n = 0; n < batch; n++)
        {
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j <= units - Width; j += Width)
                {
                    nuint gi = (nuint)(n * 4 * units + j), si = (nuint)(n * units + j);
                    var i = Vector512.LoadUnsafe(ref pa, gi);
                    var f = Vector512.LoadUnsafe(ref pa, gi + u);
                    var g = Vector512.LoadUnsafe(ref pa, gi + 2 * u);
                    var o = Vector512.LoadUnsafe(ref pa, gi + 3 * u);
                    var dh = Vector512.LoadUnsafe(ref pdh, si);
                    var phi = Vector512.LoadUnsafe(ref pphi, si);
                    var dc = Vector512.LoadUnsafe(ref pdc, si) + dh * o * (one - phi * phi);
                    (dc * g * i * (one - i)).StoreUnsafe(ref pdz, gi);
                    (dc * Vector512.LoadUnsafe(ref pcp, si) * f * (one - f)).StoreUnsafe(ref pdz, gi + u);
                    (dc * i * (one - g * g)).StoreUnsafe(ref pdz, gi + 2 * u);
                    (dh * phi * o * (one - o)).StoreUnsafe(ref pdz, gi + 3 * u);
                    (dc * f).StoreUnsafe(ref pdc, si);
                }
            }
            for (; j < units; j++)
                ReferenceGateKernels.LstmBackwardElement(a, cPrev, phiC, dH, n * 4 * units + j, n * units + j, units, dC, dZ);
        }
    }

    /// <summary>
    /// GRU (reset after) forward. On entry z = x_t·W + b_x and rec = h_{t−1}·U + b_h; z becomes the pre-activations
    /// [x_z + rec_z, x_r + rec_r, s = x_h + r ⊙ rec_h], a = [u = σ(·), r = σ(·), c = tanh(s)] (u is Keras's z gate),
    /// and h = u ⊙ h_{t−1} + (1 − u) ⊙ c = c + u ⊙ (h_{t−1} − c).
    /// </summary>
    // z, rec, a: [batch, 3·units]; hPrev, h: [batch, units]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GruForward(Span<float> z, ReadOnlySpan<float> rec, ReadOnlySpan<float> hPrev, int batch, int units,
        Span<float> a, Span<float> h)
    {
        Check(z.Length, rec.Length, batch * 3 * units);
        Check(a.Length, a.Length, batch * 3 * units);
        Check(hPrev.Length, h.Length, batch * units);
        ref float pz = ref MemoryMarshal.GetReference(z);
        ref float prec = ref MemoryMarshal.GetReference(rec);
        ref float php = ref MemoryMarshal.GetReference(hPrev);
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float ph = ref MemoryMarshal.GetReference(h);
        nuint u = (nuint)units;
        for (int n = 0; n < batch; n++)
        {
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j <= units - Width; j += Width)
                {
                    nuint gi = (nuint)(n * 3 * units + j), si = (nuint)(n * units + j);
                    var sz = Vector512.LoadUnsafe(ref pz, gi) + Vector512.LoadUnsafe(ref prec, gi);
                    var sr = Vector512.LoadUnsafe(ref pz, gi + u) + Vector512.LoadUnsafe(ref prec, gi + u);
                    var update = Sigmoid(sz);
                    var r = Sigmoid(sr);
                    var s = Vector512.LoadUnsafe(ref pz, gi + 2 * u) + r * Vector512.LoadUnsafe(ref prec, gi + 2 * u);
                    var cand = Tanh(s);
                    sz.StoreUnsafe(ref pz, gi);
                    sr.StoreUnsafe(ref pz, gi + u);
                    s.StoreUnsafe(ref pz, gi + 2 * u);
                    update.StoreUnsafe(ref pa, gi);
                    r.StoreUnsafe(ref pa, gi + u);
                    cand.StoreUnsafe(ref pa, gi + 2 * u);
                    (cand + update * (Vector512.LoadUnsafe(ref php, si) - cand)).StoreUnsafe(ref ph, si);
                }
            }
            for (; j < units; j++)
                ReferenceGateKernels.GruForwardElement(z, rec, hPrev, n * 3 * units + j, n * units + j, units, a, h);
        }
    }

    /// <summary>
    /// GRU (reset after) backward for one step, given dh = ∂L/∂h_t: ds = dh ⊙ (1 − u) ⊙ (1 − c²);
    /// dz_u = dh ⊙ (h_{t−1} − c) ⊙ u(1 − u); dz_r = ds ⊙ rec_h ⊙ r(1 − r). Input side dZ = [dz_u, dz_r, ds], recurrent
    /// side dR = [dz_u, dz_r, ds ⊙ r], and the direct part of ∂L/∂h_{t−1}, dh ⊙ u, into dHPrev.
    /// </summary>
    // a, rec, dZ, dR: [batch, 3·units]; hPrev, dH, dHPrev: [batch, units]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GruBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> rec, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dH,
        int batch, int units, Span<float> dZ, Span<float> dR, Span<float> dHPrev)
    {
        Check(a.Length, rec.Length, batch * 3 * units);
        Check(dZ.Length, dR.Length, batch * 3 * units);
        Check(hPrev.Length, dH.Length, batch * units);
        Check(dHPrev.Length, dHPrev.Length, batch * units);
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float prec = ref MemoryMarshal.GetReference(rec);
        ref float php = ref MemoryMarshal.GetReference(hPrev);
        ref float pdh = ref MemoryMarshal.GetReference(dH);
        ref float pdz = ref MemoryMarshal.GetReference(dZ);
        ref float pdr = ref MemoryMarshal.GetReference(dR);
        ref float pdhp = ref MemoryMarshal.GetReference(dHPrev);
        nuint u = (nuint)units;
        var one = Vector512<float>.One;
        for (int n = 0; n < batch; n++)
        {
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j <= units - Width; j += Width)
                {
                    nuint gi = (nuint)(n * 3 * units + j), si = (nuint)(n * units + j);
                    var update = Vector512.LoadUnsafe(ref pa, gi);
                    var r = Vector512.LoadUnsafe(ref pa, gi + u);
                    var cand = Vector512.LoadUnsafe(ref pa, gi + 2 * u);
                    var dh = Vector512.LoadUnsafe(ref pdh, si);
                    var ds = dh * (one - update) * (one - cand * cand);
                    var dzu = dh * (Vector512.LoadUnsafe(ref php, si) - cand) * update * (one - update);
                    var dzr = ds * Vector512.LoadUnsafe(ref prec, gi + 2 * u) * r * (one - r);
                    dzu.StoreUnsafe(ref pdz, gi);
                    dzu.StoreUnsafe(ref pdr, gi);
                    dzr.StoreUnsafe(ref pdz, gi + u);
                    dzr.StoreUnsafe(ref pdr, gi + u);
                    ds.StoreUnsafe(ref pdz, gi + 2 * u);
                    (ds * r).StoreUnsafe(ref pdr, gi + 2 * u);
                    (dh * update).StoreUnsafe(ref pdhp, si);
                }
            }
            for (; j < units; j++)
                ReferenceGateKernels.GruBackwardElement(a, rec, hPrev, dH, n * 3 * units + j, n * units + j, units, dZ, dR, dHPrev);
        }
    }

    private static void Check(int first, int second, int needed)
    {
        if (first < needed || second < needed)
            throw new ArgumentException($"Spans of {first} and {second} values where {needed} are needed.");
    }
}
