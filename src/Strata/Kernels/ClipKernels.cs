using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Strata.Kernels.Simd;

namespace Strata.Kernels;

/// <summary>The reductions and scalings of gradient clipping (Pascanu et al. 2013), over spans.</summary>
internal static class ClipKernels
{
    /// <summary>Σg², accumulated in double (each lane widened), so a norm of a million values keeps its digits.</summary>
    public static unsafe double SumOfSquares(ReadOnlySpan<float> g)
    {
        fixed (float* p = g)
            return Vectorized.Sum(new SquaresSum { G = p }, g.Length);
    }

    /// <summary>max |g| (the infinity norm); NaN if any value is NaN.</summary>
    public static double MaxMagnitude(ReadOnlySpan<float> g)
    {
        if (g.IsEmpty) return 0;
        float max = TensorPrimitives.MaxMagnitude(g);
        return float.IsNaN(max) ? double.NaN : Math.Abs(max);
    }

    /// <summary>g ← clamp(g, −c, c).</summary>
    public static void ClampInPlace(Span<float> g, float c) => TensorPrimitives.Clamp(g, -c, c, g);

    /// <summary>g ← g·s.</summary>
    public static void ScaleInPlace(Span<float> g, float s) => TensorPrimitives.Multiply(g, s, g);

    private unsafe struct SquaresSum : IWideReduction
    {
        public float* G;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly TW Accumulate<TV, TW>(nint i, TW sum) where TV : unmanaged, IWidening<TV, TW> where TW : unmanaged, IWideVector<TW>
        {
            var g = TV.Widen(TV.Load(G + i));
            return TW.MultiplyAdd(g, g, sum);
        }
    }
}
