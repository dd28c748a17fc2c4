using ScottPlot.Plottables;
using Strata.Experiments;
using Strata.Tests.Experiments.Reporting;

namespace Strata.Tests.Experiments;

/// <summary>The batchnorm experiment's charts.</summary>
public sealed class BatchNormReportTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("strata-bn-charts-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void AccuracyChart_FitsItsAxisToBothNetworks_EvenAPlainOneAtChance()
    {
        var s = BatchNormSettings.Quick(1);
        if (!ChartAssert.TryBuild(() => BatchNormReport.Charts(s, ChartData.BatchNorm(s)), out var charts)) return;
        var accuracy = charts.Single(c => c.FileName == BatchNormReport.AccuracyChart);
        var limits = ChartAssert.Visible(accuracy, _root);

        Assert.True(limits.Bottom < 0.1 && limits.Top > 0.85, $"{limits}"); // the old fixed 0.5–0.95 hid both plain curves
        Assert.Equal(4, accuracy.Plot.GetPlottables().OfType<Scatter>().Count());
    }
}
