using Strata.Experiments;
using Strata.Experiments.Reporting;

namespace Strata.Tests.Experiments;

/// <summary>The rules that turn runs into the reports' verdicts: fails, steps to an accuracy, success, exploded steps.</summary>
public sealed class ExperimentOutcomeTests
{
    private static BatchNormRun BnRun(double[] accuracies, int skipped = 0, bool batchNorm = false, int seed = 0) => new(
        new BatchNormRunSpec("main", batchNorm, "sigmoid", 0.1f, 0.05f, seed, 100 * (accuracies.Length - 1), 100),
        accuracies.Select((a, i) => new BatchNormCheckpoint(100 * i, a, 1, 0, 0, 0)).ToArray(), skipped, skipped > 0 ? 1 : null, 0);

    [Fact]
    public void BatchNormRun_FailsAtChancePlusATenthOrWhenAStepWasNotFinite()
    {
        Assert.True(BnRun([0.1, 0.5, 0.2]).Failed);    // ends at chance + 0.1, whatever it reached before
        Assert.False(BnRun([0.1, 0.15, 0.21]).Failed);
        Assert.True(BnRun([0.1, 0.8, 0.85], skipped: 1).Failed);
        Assert.True(BnRun([0.1, double.NaN]).Failed);
    }

    [Fact]
    public void Compare_GivesBnStepsToThePlainBestAndTheirRatio()
    {
        var plain = BnRun([0.1, 0.5, 0.7, 0.8, 0.79]);                // best 0.8 first at step 300
        var bn = BnRun([0.1, 0.6, 0.81, 0.85, 0.86], batchNorm: true); // ≥ 0.8 first at step 200
        var comparison = Assert.Single(BatchNormReport.Compare([plain, bn]));

        Assert.Equal(0.8, comparison.PlainBest);
        Assert.Equal(300, comparison.PlainStepsToBest);
        Assert.Equal(200, comparison.BnStepsToPlainBest);
        Assert.Equal(2.0 / 3, comparison.Ratio!.Value, 12);
        Assert.Null(BatchNormReport.Compare([plain, BnRun([0.1, 0.2, 0.3, 0.4, 0.5], batchNorm: true)])[0].Ratio);
    }

    [Fact]
    public void Compare_GivesNoRatioWhenThePlainNetworkNeverLeftChance()
    {
        // The quick run once printed "ratio 0.33" for a plain network whose best was 0.111: steps to chance mean nothing.
        var plain = BnRun([0.1, 0.111, 0.1]);
        var bn = BnRun([0.1, 0.6, 0.8], batchNorm: true);
        var comparison = Assert.Single(BatchNormReport.Compare([plain, bn]));
        Assert.True(comparison.PlainFailed);
        Assert.Null(comparison.Ratio);
        var settings = BatchNormSettings.Quick(seeds: 1);
        Assert.Contains("plain failed", BatchNormReport.SummaryTable(settings, [plain, bn]), StringComparison.Ordinal);
    }

    [Fact]
    public void The_quick_runs_say_what_they_can_and_cannot_show()
    {
        Assert.Contains("--quick run", BatchNormSettings.Quick(1).Caveat, StringComparison.Ordinal);
        Assert.Contains("does not separate", ClippingSettings.Quick(1).Caveat, StringComparison.Ordinal);
        Assert.Null(BatchNormSettings.Full(3).Caveat);
        Assert.Null(ClippingSettings.Full(3).Caveat);
    }

    private static ClippingRun ClipRun(double[] errorRates, double[] norms) => new(
        new ClippingRunSpec("adding", 10, ClipMode.None, 0),
        errorRates.Select((e, i) => new SequenceEvaluation(10 * (i + 1), e, 0)).ToArray(), norms, 0, 0, ExplosionNorm: 10f);

    [Fact]
    public void ClippingRun_SucceedsAtTheFirstEvaluationUnderOnePercentWrong()
    {
        Assert.Equal(20, ClipRun([0.3, 0.009], []).StepsToSuccess);
        Assert.False(ClipRun([0.3, 0.01], []).Succeeded);
    }

    [Fact]
    public void ClippingRun_CountsStepsAboveTheExplosionNormOrNotFiniteAsExploded()
    {
        var run = ClipRun([0.5], [1, 9.99, 10, 10.01, double.PositiveInfinity, double.NaN, 2, 3]);

        Assert.Equal(3 / 8.0, run.ExplodedFraction, 12);
        Assert.Equal(double.PositiveInfinity, run.MaxNorm);
        Assert.Equal(Percentiles.Of([1, 9.99, 10, 10.01, 2, 3], 50), run.MedianNorm);
    }

    [Fact]
    public void Downsample_KeepsTheLargestNormOfEachWindow()
    {
        var norms = Enumerable.Range(0, 2 * ClippingReport.TracePoints).Select(i => i % 2 == 0 ? 1.0 : 100.0).ToArray();
        norms[5] = double.NaN;

        var (steps, maxima) = ClippingReport.Downsample(norms);

        Assert.Equal(ClippingReport.TracePoints, steps.Length);
        Assert.Equal(2, steps[0]);
        Assert.Equal(norms.Length, steps[^1]);
        Assert.Equal(double.PositiveInfinity, maxima[2]); // the window holding the NaN
        Assert.All(maxima.Where((_, i) => i != 2), m => Assert.Equal(100, m));
    }
}
