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
        float batchSum = TensorPrimitives.Sum(mean) + TensorPrimitives.Sum(variance);
        if (!float.IsFinite(batchSum)) return false;
        float keep = momentum, take = 1f - momentum;
        for (int f = 0; f < mean.Length; f++)
        {
            movingMean[f] = movingMean[f] * keep + mean[f] * take;
            movingVariance[f] = movingVariance[f] * keep + variance[f] * take;
        }
        return true;
    }

    /// <summary>dβ += Σdy; dγ += Σdy·x̂ = invStd·Σdy·(x − μ). Either gradient may be empty (no center or no scale).</summary>
    public static void ParameterGradients(ReadOnlySpan<float> sumDy, ReadOnlySpan<float> sumDyXc, ReadOnlySpan<float> invStd,
        Span<float> dGamma, Span<float> dBeta)
    {
        if (!dBeta.IsEmpty) TensorPrimitives.Add(dBeta, sumDy, dBeta);
        if (!dGamma.IsEmpty) TensorPrimitives.FusedMultiplyAdd(sumDyXc, invStd, dGamma, dGamma);
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
}
