namespace Strata.Kernels.Reference;

/// <summary>Scalar twins of <see cref="ActivationKernels"/>, written for clarity, used by tests and benchmarks.</summary>
internal static class ReferenceActivationKernels
{
    public static void LeakyReluForward(ReadOnlySpan<float> x, float alpha, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] > 0 ? x[i] : alpha * x[i];
    }

    public static void LeakyReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, float alpha, Span<float> dX)
    {
        for (int i = 0; i < x.Length; i++) dX[i] = x[i] > 0 ? dY[i] : alpha * dY[i];
    }

    public static void EluForward(ReadOnlySpan<float> x, float alpha, float scale, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++)
            y[i] = x[i] > 0 ? scale * x[i] : (float)(scale * alpha * Expm1(x[i]));
    }

    public static void EluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dY, float alpha, float scale, Span<float> dX)
    {
        for (int i = 0; i < x.Length; i++)
            dX[i] = dY[i] * (x[i] > 0 ? scale : y[i] + scale * alpha);
    }

    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX)
    {
        for (int i = 0; i < y.Length; i++) dX[i] = dY[i] * y[i] * (1f - y[i]);
    }

    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX)
    {
        for (int i = 0; i < y.Length; i++) dX[i] = dY[i] * (1f - y[i] * y[i]);
    }

    public static void SoftmaxForward(ReadOnlySpan<float> x, int rows, int columns, Span<float> y)
    {
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < columns; j++) max = Math.Max(max, x[r * columns + j]);
            double sum = 0;
            for (int j = 0; j < columns; j++) sum += Math.Exp(x[r * columns + j] - max);
            for (int j = 0; j < columns; j++) y[r * columns + j] = (float)(Math.Exp(x[r * columns + j] - max) / sum);
        }
    }

    public static void SoftmaxBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, int rows, int columns, Span<float> dX)
    {
        for (int r = 0; r < rows; r++)
        {
            double dot = 0;
            for (int j = 0; j < columns; j++) dot += (double)dY[r * columns + j] * y[r * columns + j];
            for (int j = 0; j < columns; j++) dX[r * columns + j] = (float)(y[r * columns + j] * (dY[r * columns + j] - dot));
        }
    }

    /// <summary>eˣ − 1 in double, with the series near zero where Exp(x) − 1 cancels.</summary>
    private static double Expm1(double x) => Math.Abs(x) < 1e-5 ? x + 0.5 * x * x + x * x * x / 6.0 : Math.Exp(x) - 1.0;
}
