using System.Runtime.CompilerServices;
using Strata.Kernels.Simd;

namespace Strata.Kernels;

/// <summary>
/// Adaptive gradient clipping (AGC; Brock, De, Smith &amp; Simonyan 2021, "High-performance large-scale image
/// recognition without normalization", §4): for each unit i of a weight, with W_i and G_i its weights and gradient,
/// G_i ← G_i·λ·max(‖W_i‖, ε)/‖G_i‖ when ‖G_i‖ &gt; λ·max(‖W_i‖, ε), else unchanged. Bounding the ratio of gradient
/// to weight norm bounds how far one step moves a unit relative to its size, which one fixed threshold for every
/// weight cannot; ε keeps units whose weights start at zero (biases) from being frozen.
/// <para>
/// A weight of rank ≥ 2 is viewed as [rows, units], its last axis the units (Keras's layouts: Dense [in, units],
/// Conv2D [kh, kw, cin, cout], recurrent kernels [in or units, gates·units]), so a unit's fan-in is a strided column.
/// Its sums of squares take one pass over the rows, each row contiguous and vectorized across the units, into a
/// [units] double accumulator: every unit adds its rows in row order whatever the vector width (a float squared in
/// double is exact, so fused and unfused multiply-adds agree), and the result is the same at every width. A weight
/// of rank ≤ 1 (bias, γ, β) has one unit per element, where AGC is a clamp.
/// </para>
/// </summary>
internal static unsafe class UnitwiseClipKernels
{
    /// <summary>
    /// sums[0, u] += Σ_r w[r, u]² and sums[1, u] += Σ_r g[r, u]² over the rows of w and g, in row order, in double.
    /// </summary>
    public static void AccumulateUnitSquares(ReadOnlySpan<float> w, ReadOnlySpan<float> g, Span<double> sums)
    {
        // w, g: [rows, units]; sums: [2, units]
        int units = sums.Length / 2;
        if (units == 0 || sums.Length != 2 * units || w.Length != g.Length || w.Length % units != 0)
            throw new ArgumentException($"AGC needs [rows, units] weights and gradients of one length and [2, units] sums; got {w.Length} and {g.Length} values and {sums.Length} sums.");
        fixed (float* pw = w, pg = g)
        fixed (double* ps = sums)
        {
            var job = new SquaresJob { Body = new SquaresRow { W = pw, G = pg, WSums = ps, GSums = ps + units }, Rows = w.Length / units, Units = units };
            VectorWidths.Dispatch(ref job);
        }
    }

    /// <summary>
    /// From the sums of squares of <paramref name="parts"/> parts of a weight (each [2, units], as
    /// <see cref="AccumulateUnitSquares"/> leaves them), added in part order: ‖W_u‖ = √ΣW², ‖G_u‖ = √ΣG², and
    /// scales[u] = λ·max(‖W_u‖, ε)/‖G_u‖ where ‖G_u‖ &gt; λ·max(‖W_u‖, ε), else 1 — so a zero gradient is never
    /// divided by. In double.
    /// </summary>
    public static void UnitScales(ReadOnlySpan<double> sums, int parts, float clipping, float epsilon, Span<float> scales)
    {
        // sums: [parts, 2, units]; scales: [units]
        int units = scales.Length;
        if (parts < 1 || sums.Length < parts * 2 * units) throw new ArgumentException("AGC's sums are shorter than parts × 2 × units.");
        for (int u = 0; u < units; u++)
        {
            double w2 = 0, g2 = 0;
            for (int p = 0; p < parts; p++)
            {
                w2 += sums[2 * p * units + u];
                g2 += sums[(2 * p + 1) * units + u];
            }
            double limit = clipping * Math.Max(Math.Sqrt(w2), epsilon);
            double norm = Math.Sqrt(g2);
            scales[u] = norm > limit ? (float)(limit / norm) : 1f;
        }
    }

    /// <summary>g[r, u] ← g[r, u]·scales[u] for g: [rows, units].</summary>
    public static void ScaleUnits(Span<float> g, ReadOnlySpan<float> scales)
    {
        // g: [rows, units]; scales: [units]
        int units = scales.Length;
        if (units == 0 || g.Length % units != 0)
            throw new ArgumentException($"AGC cannot scale {g.Length} gradients by {units} unit scales.");
        fixed (float* pg = g, ps = scales)
        {
            var job = new ScaleJob { Body = new ScaleRow { G = pg, Scales = ps }, Rows = g.Length / units, Units = units };
            VectorWidths.Dispatch(ref job);
        }
    }

    /// <summary>
    /// AGC of one-element units (rank ≤ 1): g ← clamp(g, −c, c) with c = λ·max(|w|, ε), element by element — the
    /// scaling g·c/|g| when |g| &gt; c, which for one element is ±c exactly.
    /// </summary>
    public static void ClampToWeights(ReadOnlySpan<float> w, Span<float> g, float clipping, float epsilon)
    {
        // w, g: [n]
        if (w.Length != g.Length) throw new ArgumentException("AGC's weight and gradient spans differ in length.");
        fixed (float* pw = w, pg = g)
            Vectorized.For(new ClampStep { W = pw, G = pg, Clipping = clipping, Epsilon = epsilon }, g.Length);
    }

    private struct SquaresRow : IWideBody
    {
        public float* W, G;
        public double* WSums, GSums;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV, TW>(nint i) where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>
        {
            var w = TV.Widen(TV.Load(W + i));
            var g = TV.Widen(TV.Load(G + i));
            TW.Store(TW.MultiplyAdd(w, w, TW.Load(WSums + i)), WSums + i);
            TW.Store(TW.MultiplyAdd(g, g, TW.Load(GSums + i)), GSums + i);
        }
    }

    /// <summary>One width dispatch for all rows: the row body moves down the rows, the sums stay.</summary>
    private struct SquaresJob : IWidthJob
    {
        public SquaresRow Body;
        public int Rows, Units;

        public void Run<TV, TW>() where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>
        {
            for (int r = 0; r < Rows; r++)
            {
                Vectorized.ForWide<SquaresRow, TV, TW>(ref Body, Units);
                Body.W += Units;
                Body.G += Units;
            }
        }
    }

    private struct ScaleRow : IVectorBody
    {
        public float* G, Scales;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint i) where TV : unmanaged, IVector<TV>
            => TV.Store(TV.Load(G + i) * TV.Load(Scales + i), G + i);
    }

    private struct ScaleJob : IWidthJob
    {
        public ScaleRow Body;
        public int Rows, Units;

        public void Run<TV, TW>() where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>
        {
            for (int r = 0; r < Rows; r++)
            {
                Vectorized.For<ScaleRow, TV>(ref Body, Units);
                Body.G += Units;
            }
        }
    }

    private struct ClampStep : IVectorBody
    {
        public float* W, G;
        public float Clipping, Epsilon;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Invoke<TV>(nint i) where TV : unmanaged, IVector<TV>
        {
            var limit = TV.Create(Clipping) * TV.Max(TV.Abs(TV.Load(W + i)), TV.Create(Epsilon));
            TV.Store(TV.Min(TV.Max(TV.Load(G + i), -limit), limit), G + i);
        }
    }
}
