using Strata.Experiments;
using Strata.Tests.Experiments.Reporting;

namespace Strata.Tests.Experiments;

/// <summary>The transfer experiment's comparison of error rates, and the report that says whether the claim held.</summary>
public sealed class TransferReportTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("strata-transfer-report-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void The_comparison_takes_medians_paired_wins_and_the_best_seed()
    {
        var c = new TransferComparison(false, [0.02, 0.03, 0.04, 0.01], [0.005, 0.01, 0.04, 0.02]);
        Assert.Equal(0.025, c.ScratchMedian, 12);
        Assert.Equal(0.015, c.ReusedMedian, 12);
        Assert.Equal(0.025 / 0.015, c.MedianRatio, 12);
        Assert.Equal((1 + 1 + 0.5 + 0) / 4, c.ReusedWins, 12); // better, better, tied, worse
        Assert.Equal(4, c.BestSeedRatio, 12);
        Assert.False(c.ClaimHolds);
        Assert.True(new TransferComparison(false, [0.03], [0.01]).ClaimHolds);
        Assert.Equal(double.PositiveInfinity, new TransferComparison(false, [0.01], [0]).MedianRatio);
        Assert.Equal(1, new TransferComparison(false, [0], [0]).MedianRatio);
    }

    [Fact]
    public void The_report_says_for_each_network_whether_the_error_was_divided_by_about_4()
    {
        // Without BN reusing divides the error by 4; with BN it helps by a third.
        var result = ChartData.Transfer(TransferSettings.Full(3), spec => spec.Reused ? (spec.BatchNorm ? 0.015 : 0.005) + spec.Seed * 1e-4 : 0.02 + spec.Seed * 4e-4);

        var written = result.WriteReport(_root);

        string report = File.ReadAllText(written.ReportFile);
        Assert.Contains("**Without BN the claim holds:**", report, StringComparison.Ordinal);
        Assert.Contains("**With BN reuse helps, but less than the texts say:**", report, StringComparison.Ordinal);
        Assert.Contains("| no BN   | 0.9100           | reused  | 3     | 0.51%        |", report, StringComparison.Ordinal);
        ReportAssert.AssertCsv(Path.Combine(_root, TransferReport.RunsFile), "network,start,seed,test_error,test_loss,steps_on_cached_features,seconds", 12);
        foreach (string chart in TransferReport.ChartFiles) ReportAssert.AssertChart(_root, chart, report, written.ChartWarning);
    }

    [Fact]
    public void The_report_says_when_reuse_does_not_help()
    {
        var result = ChartData.Transfer(TransferSettings.Quick(2), spec => spec.Reused ? 0.05 : 0.01);
        string report = File.ReadAllText(result.WriteReport(_root).ReportFile);
        Assert.Contains("**Without BN reuse does not help here:**", report, StringComparison.Ordinal);
        Assert.Contains("This is the --quick run", report, StringComparison.Ordinal);
    }
}
