namespace Strata.Kernels.Reference;

/// <summary>
/// Scalar twins of <see cref="BatchNormKernels"/>, straight from the paper's equations, in double:
/// x̂ = (x − μ)/√(σ² + ε), y = γx̂ + β; dβ = Σdy, dγ = Σdy·x̂, dX = (γ·invStd/n)(n·dy − Σdy − x̂·Σdy·x̂).
/// Tensors are [outer, c, inner]; channel f's values are x[a, f, i] for all a, i.
/// </summary>
internal static class ReferenceBatchNormKernels
{
    public static void ForwardTraining(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        int outer, int c, int inner, float epsilon, Span<float> mean, Span<float> variance, Span<float> y)
    {
        double n = (double)outer * inner;
        for (int f = 0; f < c; f++)
        {
            double sum = 0;
            for (int a = 0; a < outer; a++)
                for (int i = 0; i < inner; i++) sum += x[(a * c + f) * inner + i];
            double mu = sum / n;
            double sq = 0;
            for (int a = 0; a < outer; a++)
                for (int i = 0; i < inner; i++) sq += Math.Pow(x[(a * c + f) * inner + i] - mu, 2);
            double var = sq / n;
            mean[f] = (float)mu;
            variance[f] = (float)var;
            double invStd = 1.0 / Math.Sqrt(var + epsilon);
            for (int a = 0; a < outer; a++)
                for (int i = 0; i < inner; i++)
                {
                    int j = (a * c + f) * inner + i;
                    y[j] = (float)(gamma[f] * (x[j] - mu) * invStd + beta[f]);
                }
        }
    }

    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, ReadOnlySpan<float> gamma,
        int outer, int c, int inner, float epsilon, Span<float> dX, Span<float> dGamma, Span<float> dBeta)
    {
        double n = (double)outer * inner;
        for (int f = 0; f < c; f++)
        {
            double sum = 0, sq = 0;
            for (int a = 0; a < outer; a++)
                for (int i = 0; i < inner; i++) sum += x[(a * c + f) * inner + i];
            double mu = sum / n;
            for (int a = 0; a < outer; a++)
                for (int i = 0; i < inner; i++) sq += Math.Pow(x[(a * c + f) * inner + i] - mu, 2);
            double invStd = 1.0 / Math.Sqrt(sq / n + epsilon);
            double sumDy = 0, sumDyXhat = 0;
            for (int a = 0; a < outer; a++)
                for (int i = 0; i < inner; i++)
                {
                    int j = (a * c + f) * inner + i;
                    sumDy += dY[j];
                    sumDyXhat += dY[j] * (x[j] - mu) * invStd;
                }
            dBeta[f] = (float)sumDy;
            dGamma[f] = (float)sumDyXhat;
            for (int a = 0; a < outer; a++)
                for (int i = 0; i < inner; i++)
                {
                    int j = (a * c + f) * inner + i;
                    double xhat = (x[j] - mu) * invStd;
                    dX[j] = (float)(gamma[f] * invStd / n * (n * dY[j] - sumDy - xhat * sumDyXhat));
                }
        }
    }

    /// <summary>Σx and Σx² of every channel (the twin of <see cref="BatchNormKernels.Sums"/>).</summary>
    public static void Sums(ReadOnlySpan<float> x, int outer, int c, int inner, Span<double> sum, Span<double> sumOfSquares)
    {
        for (int f = 0; f < c; f++)
        {
            double s = 0, sq = 0;
            for (int a = 0; a < outer; a++)
                for (int i = 0; i < inner; i++)
                {
                    double v = x[(a * c + f) * inner + i];
                    s += v;
                    sq += v * v;
                }
            sum[f] = s;
            sumOfSquares[f] = sq;
        }
    }
}
