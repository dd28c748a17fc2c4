using Strata.Experiments.Reporting;

namespace Strata.Experiments;

/// <summary>
/// One network's model B from scratch against reused, over the seeds: the median and quartiles of each one's test
/// error rate, the ratio of the medians (the texts' "error divided by about 4" is a ratio of 4), how often the reused
/// B beat the one from scratch on the same images, and the best single seed's ratio, the kind of run one would
/// report after choosing among many.
/// </summary>
public sealed record TransferComparison(bool BatchNorm, IReadOnlyList<double> ScratchErrors, IReadOnlyList<double> ReusedErrors)
{
    /// <summary>The smallest ratio of median errors that counts as the texts' "divided by about 4".</summary>
    public const double ClaimRatio = 3;

    public double ScratchMedian => Percentiles.Of(ScratchErrors, 50);

    public double ReusedMedian => Percentiles.Of(ReusedErrors, 50);

    /// <summary>Median error from scratch over median error reused; ∞ when the reused median is 0 and the other is not.</summary>
    public double MedianRatio => Ratio(ScratchMedian, ReusedMedian);

    /// <summary>The fraction of seeds whose reused B had a lower error than its B from scratch (ties count half).</summary>
    public double ReusedWins => ScratchErrors.Zip(ReusedErrors, (s, r) => r < s ? 1.0 : r == s ? 0.5 : 0).Average();

    /// <summary>The largest ratio of one seed's error from scratch to its error reused.</summary>
    public double BestSeedRatio => ScratchErrors.Zip(ReusedErrors, Ratio).Max();

    /// <summary>Whether the medians' ratio is at least <see cref="ClaimRatio"/>.</summary>
    public bool ClaimHolds => MedianRatio >= ClaimRatio;

    private static double Ratio(double scratch, double reused) => reused > 0 ? scratch / reused : scratch > 0 ? double.PositiveInfinity : 1;
}
