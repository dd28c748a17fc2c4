using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Strata.Kernels;

/// <summary>The reductions and scalings of gradient clipping (Pascanu et al. 2013), over spans.</summary>
internal static class ClipKernels
{
    /// <summary>Σg², accumulated in double (Vector512 lanes widened), so a norm of a million values keeps its digits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SumOfSquares(ReadOnlySpan<float> g)
    {
        ref float p = ref MemoryMarshal.GetReference(g);
        int i = 0;
        double sum = 0;
        if (Vector512.IsHardwareAccelerated && g.Length >= 16)
        {
            Vector512<double> lo = default, hi = default;
            for (; i <= g.Length - 16; i += 16)
            {
                var (a, b) = Vector512.Widen(Vector512.LoadUnsafe(ref p, (nuint)i));
                lo = Vector512.FusedMultiplyAdd(a, a, lo);
                hi = Vector512.FusedMultiplyAdd(b, b, hi);
            }
            sum = Vector512.Sum(lo + hi);
        }
        for (; i < g.Length; i++)
        {
            double v = Unsafe.Add(ref p, i);
            sum += v * v;
        }
        return sum;
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
}
