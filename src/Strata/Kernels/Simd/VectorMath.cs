using System.Runtime.CompilerServices;

namespace Strata.Kernels.Simd;

/// <summary>
/// Transcendental functions at any width, for the fused kernels that cannot call TensorPrimitives per operation.
/// σ and tanh use an e^x for x ≤ 0 written so that neither can overflow and tanh keeps its relative accuracy near 0;
/// both agree with the scalar σ and tanh to about 1e-7.
/// </summary>
internal static class VectorMath
{
    // e^x = 2^k·e^r with k = round(x / ln 2) and |r| ≤ ln 2 / 2 (ln 2 split in two parts so r is exact to float
    // rounding); e^r − 1 by its Taylor series to r⁷, whose remainder r⁸/8! < 6e-9 there.
    private const float Log2E = 1.44269504f, Ln2High = 0.693359375f, Ln2Low = -2.12194440e-4f;
    private const float ExpMin = -87.33f; // below it e^x is under float's smallest normal (1.18e-38) and is taken as 0

    /// <summary>
    /// The two parts of e^x = s·(1 + q) for x ≤ 0: the power of two s = 2^k (0 below −87.33) and q = e^r − 1.
    /// e^x − 1 = s·q + (s − 1) keeps its relative accuracy near 0, where k = 0 and it is q itself.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (TV S, TV Q) ExpParts<TV>(TV x) where TV : unmanaged, IVector<TV>
    {
        var clamped = TV.Max(x, TV.Create(ExpMin));
        var k = TV.Round(clamped * TV.Create(Log2E));
        var r = clamped - k * TV.Create(Ln2High) - k * TV.Create(Ln2Low);
        var q = TV.Create(1f / 5040f);
        q = q * r + TV.Create(1f / 720f);
        q = q * r + TV.Create(1f / 120f);
        q = q * r + TV.Create(1f / 24f);
        q = q * r + TV.Create(1f / 6f);
        q = q * r + TV.Create(0.5f);
        q = q * r + TV.One;
        q *= r;
        var s = TV.Select(TV.LessThan(x, TV.Create(ExpMin)), TV.Zero, TV.Pow2(k));
        return (s, q);
    }

    /// <summary>σ(x) = 1/(1 + e) for x ≥ 0 and e/(1 + e) for x &lt; 0, with e = e^(−|x|) ≤ 1, which cannot overflow; NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Sigmoid<TV>(TV x) where TV : unmanaged, IVector<TV>
    {
        var (s, q) = ExpParts(-TV.Abs(x));
        var e = s + s * q;
        var y = TV.Select(TV.LessThan(x, TV.Zero), e, TV.One) / (TV.One + e);
        return TV.Select(TV.IsNotNaN(x), y, x);
    }

    /// <summary>tanh(x) = sign(x)·(−m)/(2 + m) with m = e^(−2|x|) − 1, accurate near 0 because m is; NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Tanh<TV>(TV x) where TV : unmanaged, IVector<TV>
    {
        var (s, q) = ExpParts(TV.Create(-2f) * TV.Abs(x));
        var m = s * q + (s - TV.One);
        var t = -m / (TV.Create(2f) + m);
        var y = TV.Select(TV.LessThan(x, TV.Zero), -t, t);
        return TV.Select(TV.IsNotNaN(x), y, x);
    }
}
