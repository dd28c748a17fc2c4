using System.Numerics.Tensors;

namespace Strata.Kernels;

/// <summary>
/// The merge layers (Add, Multiply, Concatenate) and a graph's fan-out: a tensor read by several layers gets the sum
/// of their gradients.
/// </summary>
internal static class MergeKernels
{
    /// <summary>y = a + b.</summary>
    public static void Sum(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Add(a, b, y);

    /// <summary>y += x.</summary>
    public static void Accumulate(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Add(y, x, y);

    /// <summary>y = a ⊙ b.</summary>
    public static void Product(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Multiply(a, b, y);

    /// <summary>y ⊙= x.</summary>
    public static void MultiplyInPlace(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Multiply(y, x, y);

    /// <summary>
    /// Writes x into columns [offset, offset + inner) of y, row by row: one input of a concatenation, whose axis and
    /// everything after it make the <paramref name="inner"/> values of a row.
    /// </summary>
    public static void IntoColumns(ReadOnlySpan<float> x, int outer, int inner, int offset, int width, Span<float> y)
    {
        // x: [outer, inner]; y: [outer, width]
        for (int o = 0; o < outer; o++) x.Slice(o * inner, inner).CopyTo(y.Slice(o * width + offset, inner));
    }

    /// <summary>Reads columns [offset, offset + inner) of y into x, row by row: the gradient of one concatenated input.</summary>
    public static void FromColumns(ReadOnlySpan<float> y, int outer, int width, int offset, int inner, Span<float> x)
    {
        // y: [outer, width]; x: [outer, inner]
        for (int o = 0; o < outer; o++) y.Slice(o * width + offset, inner).CopyTo(x.Slice(o * inner, inner));
    }
}
