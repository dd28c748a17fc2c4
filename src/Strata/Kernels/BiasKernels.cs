using System.Numerics.Tensors;

namespace Strata.Kernels;

/// <summary>The bias of Dense and Conv2D: broadcast over rows going forward, summed over rows going back.</summary>
internal static class BiasKernels
{
    /// <summary>z[r, :] += bias for every row.</summary>
    public static void AddToRows(ReadOnlySpan<float> bias, int rows, Span<float> z)
    {
        // bias: [n]; z: [rows, n]
        int n = bias.Length;
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(z.Slice(r * n, n), bias, z.Slice(r * n, n));
    }

    /// <summary>dBias[j] += Σ_r dZ[r, j].</summary>
    public static void AccumulateRowSums(ReadOnlySpan<float> dZ, int rows, Span<float> dBias)
    {
        // dZ: [rows, n]; dBias: [n]
        int n = dBias.Length;
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(dBias, dZ.Slice(r * n, n), dBias);
    }
}
