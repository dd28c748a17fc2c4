using Strata.Experiments;
using Strata.Tests.Experiments.Reporting;

namespace Strata.Tests.Experiments;

/// <summary>The residual experiment's report: its files and the sentence that says whether the claim held.</summary>
public sealed class ResidualReportTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("strata-residual-report-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void The_report_says_the_claim_holds_when_only_the_network_without_BN_fails()
    {
        var result = ChartData.Residual(ResidualSettings.Quick(2));
        Assert.True(result.ClaimHolds);

        var written = result.WriteReport(_root);

        string report = File.ReadAllText(written.ReportFile);
        Assert.Contains("**The claim holds at 8 blocks:**", report, StringComparison.Ordinal);
        ReportAssert.AssertCsv(Path.Combine(_root, ResidualReport.RunsFile),
            "variant,seed,initial_loss,final_accuracy,best_accuracy,skipped_steps,first_nonfinite_step,failed,seconds", 6);
        ReportAssert.AssertCsv(Path.Combine(_root, ResidualReport.BlockGradientsFile), "variant,seed,block,gradient_norm", 6 * 8);
        ReportAssert.AssertCsv(Path.Combine(_root, ResidualReport.CurvesFile), "variant,seed,step,test_accuracy,test_loss", 6 * 9);
        foreach (string chart in ResidualReport.ChartFiles) ReportAssert.AssertChart(_root, chart, report, written.ChartWarning);
    }

    [Fact]
    public void The_report_says_the_depth_does_not_separate_them_when_every_network_trains()
    {
        var result = ChartData.Residual(ResidualSettings.Quick(1), plainTrains: true);
        Assert.False(result.ClaimHolds);

        string report = File.ReadAllText(result.WriteReport(_root).ReportFile);

        Assert.Contains("**Not shown at 8 blocks:**", report, StringComparison.Ordinal);
        Assert.Contains("try more blocks", report, StringComparison.Ordinal);
    }
}
