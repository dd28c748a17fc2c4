using Strata.Kernels;

namespace Strata.Optimizers;

/// <summary>Which norm <see cref="GradientClipping.ClipByGlobalNorm(Gradients, float, NormType)"/> measures.</summary>
public enum NormType
{
    /// <summary>‖g‖₂ = √Σg², Pascanu et al.'s choice and Keras's.</summary>
    L2,

    /// <summary>‖g‖∞ = max |g|.</summary>
    Infinity,
}

/// <summary>
/// Gradient clipping for the custom loop (compute gradients → clip → apply), with Keras's exact formulas.
/// The optimizers' <c>clipValue</c>, <c>clipNorm</c> and <c>globalClipNorm</c> call the same functions.
/// <list type="bullet">
/// <item><b>By value</b>: g ← clamp(g, −c, c), element by element.</item>
/// <item><b>By norm</b>, per weight tensor: g ← g·c / max(‖g‖, c). A norm at or below c leaves g exactly as it was
/// (PyTorch's <c>clip_grad_norm_</c> divides by ‖g‖ + 1e-6 and scales slightly even then); a zero gradient stays zero.</item>
/// <item><b>By global norm</b>, one scale for all tensors: g ← g·c / max(N, c) with N = √(Σ over all tensors of Σg²).
/// A non-finite N makes every gradient NaN, as in Keras and TensorFlow, so the error cannot be missed; the model
/// then skips the step (or throws, see <see cref="NonFiniteGradients"/>).</item>
/// </list>
/// </summary>
public static class GradientClipping
{
    /// <summary>Clamps every gradient to [−<paramref name="clipValue"/>, <paramref name="clipValue"/>].</summary>
    public static void ClipByValue(Gradients gradients, float clipValue)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        CheckThreshold(clipValue, nameof(clipValue));
        ClipKernels.ClampInPlace(gradients.Flat, clipValue);
    }

    /// <summary>Clamps one gradient span to [−<paramref name="clipValue"/>, <paramref name="clipValue"/>].</summary>
    public static void ClipByValue(Span<float> gradient, float clipValue)
    {
        CheckThreshold(clipValue, nameof(clipValue));
        ClipKernels.ClampInPlace(gradient, clipValue);
    }

    /// <summary>Rescales each weight's gradient whose L2 norm exceeds <paramref name="clipNorm"/> to that norm.</summary>
    public static void ClipByNorm(Gradients gradients, float clipNorm)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        CheckThreshold(clipNorm, nameof(clipNorm));
        for (int i = 0; i < gradients.Count; i++) ClipSpanByNorm(gradients[i], clipNorm);
    }

    /// <summary>g ← g·c / max(‖g‖₂, c) for one span; returns ‖g‖₂ before clipping.</summary>
    public static float ClipByNorm(Span<float> gradient, float clipNorm)
    {
        CheckThreshold(clipNorm, nameof(clipNorm));
        return ClipSpanByNorm(gradient, clipNorm);
    }

    /// <summary>
    /// Scales all gradients by c / max(N, c), N their global norm; returns N before clipping.
    /// </summary>
    public static float ClipByGlobalNorm(Gradients gradients, float clipNorm, NormType norm = NormType.L2)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        CheckThreshold(clipNorm, nameof(clipNorm));
        double n = norm == NormType.L2 ? Math.Sqrt(ClipKernels.SumOfSquares(gradients.Flat)) : ClipKernels.MaxMagnitude(gradients.Flat);
        ScaleToGlobalNorm(gradients.Flat, n, clipNorm);
        return (float)n;
    }

    /// <summary>The same for a single span (one tensor, or all gradients laid out together).</summary>
    public static float ClipByGlobalNorm(Span<float> gradients, float clipNorm, NormType norm = NormType.L2)
    {
        CheckThreshold(clipNorm, nameof(clipNorm));
        double n = norm == NormType.L2 ? Math.Sqrt(ClipKernels.SumOfSquares(gradients)) : ClipKernels.MaxMagnitude(gradients);
        ScaleToGlobalNorm(gradients, n, clipNorm);
        return (float)n;
    }

    /// <summary>g ← g·c/max(N, c); NaN everywhere when N is not finite (Keras: scale = c·min(1/N, 1/c) + (N − N)).</summary>
    internal static void ScaleToGlobalNorm(Span<float> gradients, double globalNorm, float clipNorm)
    {
        if (!double.IsFinite(globalNorm))
        {
            gradients.Fill(float.NaN);
            return;
        }
        if (globalNorm > clipNorm) ClipKernels.ScaleInPlace(gradients, (float)(clipNorm / globalNorm));
    }

    private static float ClipSpanByNorm(Span<float> gradient, float clipNorm)
    {
        // Keras's "two-tap where": a zero gradient has norm 0 and is left alone, never divided by.
        double norm = Math.Sqrt(ClipKernels.SumOfSquares(gradient));
        if (double.IsNaN(norm))
        {
            gradient.Fill(float.NaN);
        }
        else if (norm > clipNorm)
        {
            // c/∞ = 0: finite entries become 0 and infinite ones NaN, as Keras's formula gives.
            ClipKernels.ScaleInPlace(gradient, (float)(clipNorm / norm));
        }
        return (float)norm;
    }

    /// <summary>Thresholds must be positive and finite (Keras silently ignores clipnorm=0; we refuse it).</summary>
    internal static void CheckThreshold(float value, string name)
    {
        if (!(value > 0) || !float.IsFinite(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive and finite; to turn clipping off, leave it unset.");
    }
}
