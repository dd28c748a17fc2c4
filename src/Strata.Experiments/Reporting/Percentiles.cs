namespace Strata.Experiments.Reporting;

/// <summary>Order statistics used by the reports (and by <c>strata fold</c>'s timing).</summary>
public static class Percentiles
{
    /// <summary>
    /// The p-th percentile (0 ≤ p ≤ 100) of <paramref name="values"/> by linear interpolation between closest ranks
    /// (NumPy's default): position p/100·(n−1) in the sorted values. The input is not changed.
    /// </summary>
    public static double Of(IEnumerable<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!(p >= 0 && p <= 100)) throw new ArgumentOutOfRangeException(nameof(p), p, "A percentile is between 0 and 100.");
        var sorted = values.ToArray();
        if (sorted.Length == 0) return double.NaN;
        Array.Sort(sorted);
        double position = p / 100 * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
