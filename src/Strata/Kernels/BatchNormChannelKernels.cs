using System.Numerics.Tensors;

namespace Strata.Kernels;

/// <summary>
/// The per-channel arithmetic of Batch Normalization between the passes over the data (<see cref="BatchNormKernels"/>):
/// from statistics to the affine form of the normalization, the moving-average update, and the coefficients of the
/// backward pass. All spans are [c].
/// </summary>
internal static class BatchNormChannelKernels
{
    /// <summary>invStd = 1/√(σ² + ε).</summary>
    public static void InverseStd(ReadOnlySpan<float> variance, float epsilon, Span<float> invStd)
    {
        TensorPrimitives.Add(variance, epsilon, invStd);
        TensorPrimitives.ReciprocalSqrt(invStd, invStd);
    }

    /// <summary>
    /// The mean and BIASED variance of n values from their sums (synchronized Batch Normalization, after the allreduce
    /// of <see cref="BatchNormKernels.Sums"/>): μ = Σx/n and σ² = max(Σx²/n − μ², 0), in double. The difference loses
    /// about log₁₀(μ²/σ²) of double's 16 digits, far less than float's 7 for any activation a network produces; the
    /// floor keeps a constant feature's rounding from going negative.
    /// </summary>
    public static void MomentsFromSums(ReadOnlySpan<double> sum, ReadOnlySpan<double> sumOfSquares, double n,
        Span<float> mean, Span<float> variance)
    {
        for (int f = 0; f < mean.Length; f++)
        {
            double mu = sum[f] / n;
            mean[f] = (float)mu;
            variance[f] = (float)Math.Max(sumOfSquares[f] / n - mu * mu, 0);
        }
    }

    /// <summary>result = (float)values: sums kept in double for an allreduce, handed to the float kernels.</summary>
    public static void ToSingle(ReadOnlySpan<double> values, Span<float> result) => TensorPrimitives.ConvertTruncating(values, result);

    /// <summary>
    /// y = γ(x − μ)·invStd + β as y = x·scale + shift: scale = γ·invStd, shift = β − μ·scale.
    /// </summary>
    public static void AffineForm(ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> scale, Span<float> shift)
    {
        TensorPrimitives.Multiply(gamma, invStd, scale);
        TensorPrimitives.Multiply(mean, scale, shift);
        TensorPrimitives.Subtract(beta, shift, shift);
    }

    /// <summary>
    /// Keras's Normalization as y = x·scale + shift: standardizing, scale = 1/max(√σ², ε) and shift = −μ·scale, so
    /// y = (x − μ)/max(√σ², ε); inverted, scale = max(√σ², ε) and shift = μ, so y = x·max(√σ², ε) + μ.
    /// The floor ε keeps a constant feature (σ² = 0) finite, as Keras's backend epsilon does.
    /// </summary>
    public static void StandardizationForm(ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, float epsilon, bool invert,
        Span<float> scale, Span<float> shift)
    {
        TensorPrimitives.Sqrt(variance, scale);
        TensorPrimitives.Max(scale, epsilon, scale);
        if (invert)
        {
            mean.CopyTo(shift);
            return;
        }
        TensorPrimitives.Reciprocal(scale, scale);
        TensorPrimitives.Multiply(mean, scale, shift);
        TensorPrimitives.Negate(shift, shift);
    }

    /// <summary>
    /// moving ← moving·momentum + batch·(1 − momentum) for the mean and the variance, unless a batch statistic is not
    /// finite: then nothing changes, so NaN never reaches the moving statistics. Returns whether they were updated.
    /// </summary>
    public static bool UpdateMovingStatistics(ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, float momentum,
        Span<float> movingMean, Span<float> movingVariance)
    {
        if (!Finite(mean, variance)) return false;
        Follow(movingMean, mean, momentum);
        Follow(movingVariance, variance, momentum);
        return true;
    }

    /// <summary>
    /// Batch Renormalization's state after a batch with mean μ_B and biased variance σ²_B, as tf.keras keeps it, with
    /// σ_B = √(σ²_B + ε): the inference statistics follow <paramref name="momentum"/> (moving_mean ← μ_B, moving_stddev ← σ_B,
    /// and moving_variance = max(moving_stddev² − ε, 0) so that inference divides by moving_stddev), and the statistics
    /// the corrections r, d are measured against follow <paramref name="renormMomentum"/> (renorm_mean ← μ_B,
    /// renorm_stddev ← σ_B). <paramref name="stddev"/> is scratch [c] for σ_B. Nothing changes if a batch statistic is
    /// not finite; returns whether the state was updated.
    /// </summary>
    public static bool UpdateRenormStatistics(ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, float epsilon, float momentum,
        float renormMomentum, Span<float> stddev, Span<float> movingMean, Span<float> movingVariance, Span<float> movingStddev,
        Span<float> renormMean, Span<float> renormStddev)
    {
        if (!Finite(mean, variance)) return false;
        StandardDeviation(variance, epsilon, stddev);
        Follow(movingMean, mean, momentum);
        Follow(movingStddev, stddev, momentum);
        TensorPrimitives.Multiply(movingStddev, movingStddev, movingVariance);
        TensorPrimitives.Subtract(movingVariance, epsilon, movingVariance);
        TensorPrimitives.Max(movingVariance, 0f, movingVariance);
        Follow(renormMean, mean, renormMomentum);
        Follow(renormStddev, stddev, renormMomentum);
        return true;
    }

    /// <summary>
    /// Pools one batch's sums (<see cref="BatchNormKernels.MomentSums"/>: n values per channel, Σx, and Σ(x − shift)²)
    /// into population moments of <paramref name="count"/> values so far, exactly in double (Chan, Golub &amp; LeVeque's
    /// pairwise update, not a running average): the batch's mean x̄ = Σx/n and M2_B = Σ(x − shift)² − n·(x̄ − shift)²,
    /// then with δ = x̄ − mean and N = count + n: mean ← mean + δ·n/N, m2 ← m2 + M2_B + δ²·count·n/N. The population
    /// variance is m2/N (<see cref="PopulationMoments"/>).
    /// </summary>
    public static void PoolMoments(double n, ReadOnlySpan<float> shift, ReadOnlySpan<double> sum, ReadOnlySpan<double> squaredDeviation,
        double count, Span<double> mean, Span<double> m2)
    {
        double total = count + n;
        for (int f = 0; f < mean.Length; f++)
        {
            double batchMean = sum[f] / n, offset = batchMean - shift[f];
            double batchM2 = Math.Max(squaredDeviation[f] - n * offset * offset, 0);
            double delta = batchMean - mean[f];
            mean[f] += delta * n / total;
            m2[f] += batchM2 + delta * delta * count * n / total;
        }
    }

    /// <summary>The population mean and BIASED variance m2/count of pooled moments (<see cref="PoolMoments"/>), in float.</summary>
    public static void PopulationMoments(ReadOnlySpan<double> mean, ReadOnlySpan<double> m2, double count, Span<float> populationMean,
        Span<float> populationVariance)
    {
        for (int f = 0; f < mean.Length; f++)
        {
            populationMean[f] = (float)mean[f];
            populationVariance[f] = (float)(m2[f] / count);
        }
    }

    /// <summary>
    /// How far statistics (μ₀, σ²₀) were from (μ, σ²): the largest |μ₀ − μ|/√(σ² + ε), and the largest ratio of
    /// √(σ₀² + ε) and √(σ² + ε) either way (≥ 1).
    /// </summary>
    public static (double MeanShift, double StddevRatio) StatisticsChange(ReadOnlySpan<float> oldMean, ReadOnlySpan<float> oldVariance,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, float epsilon)
    {
        double shift = 0, ratio = 1;
        for (int f = 0; f < mean.Length; f++)
        {
            double std = Math.Sqrt((double)variance[f] + epsilon), oldStd = Math.Sqrt((double)oldVariance[f] + epsilon);
            shift = Math.Max(shift, Math.Abs((double)oldMean[f] - mean[f]) / std);
            ratio = Math.Max(ratio, Math.Max(std / oldStd, oldStd / std));
        }
        return (shift, ratio);
    }

    /// <summary>sum[f] += sign·values[f], in double: a running sum of batch statistics (sign −1 takes one back).</summary>
    public static void AccumulateStatistics(ReadOnlySpan<float> values, double sign, Span<double> sum)
    {
        for (int f = 0; f < sum.Length; f++) sum[f] += sign * values[f];
    }

    /// <summary>σ = √(σ² + ε); ε = 0 turns a variance into a standard deviation.</summary>
    public static void StandardDeviation(ReadOnlySpan<float> variance, float epsilon, Span<float> stddev)
    {
        TensorPrimitives.Add(variance, epsilon, stddev);
        TensorPrimitives.Sqrt(stddev, stddev);
    }

    /// <summary>
    /// Batch Renormalization's corrections (Ioffe 2017) as tf.keras computes them, from the batch statistics and the
    /// renorm statistics before this batch's update: with σ_B = √(σ²_B + ε) and s = max(renorm_stddev, √ε) (no division
    /// by zero early on), r = clip(σ_B/s, rMin, rMax) and d = clip((μ_B − renorm_mean)/s, −dMax, dMax); a missing bound
    /// does not clip. Training then outputs γ·(x̂·r + d) + β with r and d held constant in backpropagation.
    /// </summary>
    public static void RenormCorrection(ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, float epsilon,
        ReadOnlySpan<float> renormMean, ReadOnlySpan<float> renormStddev, float rMin, float rMax, float dMax, Span<float> r, Span<float> d)
    {
        float floor = MathF.Sqrt(epsilon);
        for (int f = 0; f < mean.Length; f++)
        {
            float s = MathF.Max(renormStddev[f], floor);
            r[f] = Math.Clamp(MathF.Sqrt(variance[f] + epsilon) / s, rMin, rMax);
            d[f] = Math.Clamp((mean[f] - renormMean[f]) / s, -dMax, dMax);
        }
    }

    /// <summary>
    /// γ·(x̂·r + d) + β as γ'·x̂ + β' with γ' = γ·r and β' = γ·d + β (tf.keras's composed transform), the form
    /// <see cref="AffineForm"/> and <see cref="BackwardCoefficients"/> take.
    /// </summary>
    public static void RenormAffine(ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> r, ReadOnlySpan<float> d,
        Span<float> renormGamma, Span<float> renormBeta)
    {
        TensorPrimitives.FusedMultiplyAdd(gamma, d, beta, renormBeta);
        TensorPrimitives.Multiply(gamma, r, renormGamma);
    }

    /// <summary>average[f] = Σ_g values[g, f]/count: the ghost batches' statistics averaged, as tf.keras updates from them.</summary>
    public static void Average(ReadOnlySpan<float> values, int count, Span<float> average)
    {
        int c = average.Length;
        values[..c].CopyTo(average);
        for (int g = 1; g < count; g++) TensorPrimitives.Add(average, values.Slice(g * c, c), average);
        TensorPrimitives.Multiply(average, 1f / count, average);
    }

    /// <summary>
    /// dβ += Σdy; dγ += Σdy·(r·x̂ + d) = r·invStd·Σdy·(x − μ) + d·Σdy. Empty r and d mean r = 1, d = 0 (no renorm);
    /// either gradient may be empty (no center or no scale).
    /// </summary>
    public static void ParameterGradients(ReadOnlySpan<float> sumDy, ReadOnlySpan<float> sumDyXc, ReadOnlySpan<float> invStd,
        ReadOnlySpan<float> r, ReadOnlySpan<float> d, Span<float> dGamma, Span<float> dBeta)
    {
        if (!dBeta.IsEmpty) TensorPrimitives.Add(dBeta, sumDy, dBeta);
        if (dGamma.IsEmpty) return;
        if (r.IsEmpty)
        {
            TensorPrimitives.FusedMultiplyAdd(sumDyXc, invStd, dGamma, dGamma);
            return;
        }
        for (int f = 0; f < dGamma.Length; f++) dGamma[f] += r[f] * invStd[f] * sumDyXc[f] + d[f] * sumDy[f];
    }

    /// <summary>
    /// The coefficients of dX = k·dY + m·x + b (see <see cref="BatchNormKernels.BackwardInput"/>) over n values per channel:
    /// k = γ·invStd, m = −k·invStd²·Σdy(x − μ)/n, b = −k·Σdy/n − m·μ.
    /// </summary>
    public static void BackwardCoefficients(ReadOnlySpan<float> gamma, ReadOnlySpan<float> invStd, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> sumDy, ReadOnlySpan<float> sumDyXc, double n, Span<float> k, Span<float> m, Span<float> b)
    {
        float invN = 1f / (float)n;
        for (int f = 0; f < gamma.Length; f++)
        {
            float kf = gamma[f] * invStd[f];
            float mf = -kf * invStd[f] * invStd[f] * sumDyXc[f] * invN;
            k[f] = kf;
            m[f] = mf;
            b[f] = -kf * sumDy[f] * invN - mf * mean[f];
        }
    }

    /// <summary>moving ← moving·momentum + value·(1 − momentum), Keras's moving average.</summary>
    private static void Follow(Span<float> moving, ReadOnlySpan<float> value, float momentum)
    {
        float keep = momentum, take = 1f - momentum;
        for (int f = 0; f < moving.Length; f++) moving[f] = moving[f] * keep + value[f] * take;
    }

    private static bool Finite(ReadOnlySpan<float> mean, ReadOnlySpan<float> variance) =>
        float.IsFinite(TensorPrimitives.Sum(mean) + TensorPrimitives.Sum(variance));
}
