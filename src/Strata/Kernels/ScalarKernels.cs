using System.Numerics.Tensors;

namespace Strata.Kernels;

/// <summary>
/// One learned scalar applied to a whole tensor (Fixup's scalar bias and multiplier): y = x + b and y = s·x, and
/// their gradients, dL/db = Σ dY and dL/ds = Σ x·dY, accumulated in double so that the sum over a large batch keeps
/// float32's precision.
/// </summary>
internal static class ScalarKernels
{
    /// <summary>y = x + b.</summary>
    public static void AddScalar(ReadOnlySpan<float> x, float b, Span<float> y) => TensorPrimitives.Add(x, b, y);

    /// <summary>y = s·x.</summary>
    public static void MultiplyScalar(ReadOnlySpan<float> x, float s, Span<float> y) => TensorPrimitives.Multiply(x, s, y);

    /// <summary>Σᵢ dYᵢ, in double: dL/db of y = x + b.</summary>
    public static double Sum(ReadOnlySpan<float> dY)
    {
        double sum = 0;
        for (int i = 0; i < dY.Length; i++) sum += dY[i];
        return sum;
    }

    /// <summary>Σᵢ xᵢ·dYᵢ, in double: dL/ds of y = s·x.</summary>
    public static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> dY)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += (double)x[i] * dY[i];
        return sum;
    }
}
