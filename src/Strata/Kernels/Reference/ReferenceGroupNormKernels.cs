namespace Strata.Kernels.Reference;

/// <summary>
/// Scalar twins of <see cref="GroupNormKernels"/>, straight from the equations, in double. Tensors are
/// [samples, positions, groups·groupSize]; group g of sample n holds x[n, p, g·groupSize + j] for all p, j (M values):
/// μ = Σx/M, σ² = Σ(x − μ)²/M, x̂ = (x − μ)/√(σ² + ε), y = γx̂ + β; dβ = Σdy, dγ = Σdy·x̂ (over samples and positions),
/// dx = (1/√(σ² + ε))·(γdy − (Σγdy + x̂·Σγdy·x̂)/M) (sums over the group).
/// </summary>
internal static class ReferenceGroupNormKernels
{
    public static void Forward(ReadOnlySpan<float> x, int samples, int positions, int groups, int groupSize,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float epsilon, Span<float> y)
    {
        int channels = groups * groupSize;
        for (int n = 0; n < samples; n++)
        {
            for (int g = 0; g < groups; g++)
            {
                var (mean, invStd) = Statistics(x, n, g, positions, groups, groupSize, epsilon);
                foreach (int i in Members(n, g, positions, channels, groupSize))
                {
                    int c = i % channels;
                    y[i] = (float)(gamma[c] * (x[i] - mean) * invStd + beta[c]);
                }
            }
        }
    }

    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, int samples, int positions, int groups, int groupSize,
        ReadOnlySpan<float> gamma, float epsilon, Span<float> dX, Span<float> dGamma, Span<float> dBeta)
    {
        int channels = groups * groupSize;
        double m = (double)positions * groupSize;
        var dg = new double[channels];
        var db = new double[channels];
        for (int n = 0; n < samples; n++)
        {
            for (int g = 0; g < groups; g++)
            {
                var (mean, invStd) = Statistics(x, n, g, positions, groups, groupSize, epsilon);
                double sum = 0, dot = 0;
                foreach (int i in Members(n, g, positions, channels, groupSize))
                {
                    int c = i % channels;
                    double xHat = (x[i] - mean) * invStd;
                    sum += gamma[c] * dY[i];
                    dot += gamma[c] * dY[i] * xHat;
                    dg[c] += dY[i] * xHat;
                    db[c] += dY[i];
                }
                foreach (int i in Members(n, g, positions, channels, groupSize))
                {
                    double xHat = (x[i] - mean) * invStd;
                    dX[i] = (float)(invStd * (gamma[i % channels] * dY[i] - (sum + xHat * dot) / m));
                }
            }
        }
        for (int c = 0; c < channels; c++)
        {
            dGamma[c] = (float)dg[c];
            dBeta[c] = (float)db[c];
        }
    }

    private static (double Mean, double InvStd) Statistics(ReadOnlySpan<float> x, int n, int g, int positions, int groups, int groupSize,
        float epsilon)
    {
        int channels = groups * groupSize;
        double sum = 0, squares = 0, m = (double)positions * groupSize;
        foreach (int i in Members(n, g, positions, channels, groupSize)) sum += x[i];
        double mean = sum / m;
        foreach (int i in Members(n, g, positions, channels, groupSize)) squares += (x[i] - mean) * (x[i] - mean);
        return (mean, 1 / Math.Sqrt(squares / m + epsilon));
    }

    private static IEnumerable<int> Members(int n, int g, int positions, int channels, int groupSize)
    {
        for (int p = 0; p < positions; p++)
            for (int j = 0; j < groupSize; j++) yield return (n * positions + p) * channels + g * groupSize + j;
    }
}
