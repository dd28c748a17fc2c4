namespace Strata.Kernels.Reference;

/// <summary>
/// The scalar twin of <see cref="MatMul.Gemm"/>: plain loops with a double accumulator, for tests and benchmarks, and the
/// GEMM itself on a machine without vector hardware.
/// </summary>
internal static class ReferenceGemm
{
    // a: [m, k] or, transposed, [k, m]; b: [k, n] or, transposed, [n, k]; c: [m, n]
    public static void Multiply(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB,
        int m, int k, int n, float beta, Span<float> c)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * m + i] : a[i * k + p];
                    float bv = transB ? b[j * k + p] : b[p * n + j];
                    sum += (double)av * bv;
                }
                c[i * n + j] = beta == 0 ? (float)sum : (float)(sum + beta * c[i * n + j]);
            }
        }
    }
}
