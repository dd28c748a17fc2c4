namespace Strata.Tests.GradientCheck;

/// <summary>
/// The element-by-element comparison of the gradient checkers: each element is perturbed by ±h (central difference)
/// and the numeric slope is compared with the analytic gradient, |a − n| ≤ tol·max(|a|, |n|, 1). An element where a step
/// of h and a step of h/2 disagree sits on a kink (ReLU at 0, a max-pool tie) and is skipped; at most 5% may be.
/// </summary>
internal sealed class FiniteDifferences(Func<double> loss, double tolerance, float h, string subject)
{
    private int _checked, _skipped;

    /// <summary>Checks element <paramref name="i"/> of <paramref name="values"/> against its analytic gradient.</summary>
    public void Check(Span<float> values, int i, float analytic, string what)
    {
        float original = values[i];
        // Slopes with steps h and h/2: their disagreement reveals a kink.
        Span<double> slopes = stackalloc double[2];
        for (int s = 0; s < 2; s++)
        {
            float step = s == 0 ? h : h / 2;
            values[i] = original + step;
            double plus = loss();
            values[i] = original - step;
            double minus = loss();
            values[i] = original;
            slopes[s] = (plus - minus) / (2.0 * step);
        }
        double numeric = slopes[0], half = slopes[1];
        _checked++;
        if (Math.Abs(numeric - half) > tolerance * Math.Max(1, Math.Abs(numeric)))
        {
            _skipped++;
            return;
        }
        double scale = Math.Max(1.0, Math.Max(Math.Abs(analytic), Math.Abs(numeric)));
        Assert.True(Math.Abs(analytic - numeric) <= tolerance * scale, $"{subject}: d{what}[{i}] analytic {analytic} vs numeric {numeric}");
    }

    /// <summary>Fails when more than 5% (and more than one) of the elements sat on kinks.</summary>
    public void AssertFewKinks() =>
        Assert.True(_skipped <= _checked / 20 + 1, $"{subject}: {_skipped} of {_checked} elements sat on kinks");
}
