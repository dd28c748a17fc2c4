using ScottPlot.Plottables;
using Strata.Experiments;
using Strata.Tests.Experiments.Reporting;

namespace Strata.Tests.Experiments;

/// <summary>The clipping experiment's charts.</summary>
public sealed class ClippingReportTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("strata-clip-charts-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void ExplodedChart_WithNoExplodedStep_ShowsZeroToOneAndNoNegativeFraction()
    {
        var s = ClippingSettings.Quick(1);
        if (!ChartAssert.TryBuild(() => ClippingReport.Charts(s, ChartData.Clipping(s, allZero: true)), out var charts)) return;
        var exploded = charts.Single(c => c.FileName == ClippingReport.ExplodedChart("adding"));
        var limits = ChartAssert.Visible(exploded, _root);

        Assert.Equal((0.0, 1.0), (limits.Bottom, limits.Top));
        Assert.All(exploded.Plot.GetPlottables().OfType<BarPlot>().SelectMany(b => b.Bars), bar => Assert.Equal(0, bar.Value));
    }

    [Fact]
    public void TraceChart_DrawsTheClippingThreshold()
    {
        var s = ClippingSettings.Quick(1);
        if (!ChartAssert.TryBuild(() => ClippingReport.Charts(s, ChartData.Clipping(s)), out var charts)) return;
        var trace = charts.Single(c => c.FileName == ClippingReport.TraceChart("adding"));

        var line = Assert.Single(trace.Plot.GetPlottables().OfType<HorizontalLine>());
        Assert.Equal(Math.Log10(s.Threshold), line.Y, 12);
        Assert.Equal(ClippingSettings.Modes.Count, trace.Plot.GetPlottables().OfType<Scatter>().Count());
    }
}
