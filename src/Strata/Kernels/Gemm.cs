namespace Strata.Kernels;

/// <summary>
/// Single-precision matrix multiply on row-major, contiguous matrices:
/// <c>C[m, n] = op(A) · op(B) + beta · C</c> with beta 0 (overwrite) or 1 (accumulate).
/// NN serves Dense forward (Y = X·W), NT the input gradient (dX = dY·Wᵀ), TN the weight gradient (dW += Xᵀ·dY).
/// </summary>
public static class Gemm
{
    /// <summary>C[m, n] = A[m, k] · B[k, n] + beta·C.</summary>
    public static void NN(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n, float beta, Span<float> c)
        => ReferenceGemm.Multiply(a, false, b, false, m, k, n, beta, c);

    /// <summary>C[m, n] = A[m, k] · B[n, k]ᵀ + beta·C.</summary>
    public static void NT(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n, float beta, Span<float> c)
        => ReferenceGemm.Multiply(a, false, b, true, m, k, n, beta, c);

    /// <summary>C[m, n] = A[k, m]ᵀ · B[k, n] + beta·C.</summary>
    public static void TN(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n, float beta, Span<float> c)
        => ReferenceGemm.Multiply(a, true, b, false, m, k, n, beta, c);
}
