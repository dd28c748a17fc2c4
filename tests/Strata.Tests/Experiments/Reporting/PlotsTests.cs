using ScottPlot.Plottables;
using Strata.Experiments.Reporting;

namespace Strata.Tests.Experiments.Reporting;

/// <summary>The chart builders' rules for data that once drew a misleading chart: fractions, log axes, empty series.</summary>
public sealed class PlotsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("strata-plots-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Fractions_AllZero_GetTheAxisZeroToOneAndReadZero()
    {
        if (!ChartAssert.TryBuild(() => Plots.Fractions("f.png", "t", "x", "y", ["a", "b"], ["p", "q"], [[0, 0], [0, 0]]), out var chart)) return;
        var limits = ChartAssert.Visible(chart, _root);

        Assert.Equal((0.0, 1.0), (limits.Bottom, limits.Top)); // not the −1…1 that showed a negative fraction
        Assert.All(chart.Plot.GetPlottables().OfType<BarPlot>().SelectMany(b => b.Bars), bar => Assert.Equal("0", bar.Label));
    }

    [Fact]
    public void Fractions_AreClampedToZeroToOne_AndTheAxisFitsTheTallest()
    {
        if (!ChartAssert.TryBuild(() => Plots.Fractions("f.png", "t", "x", "y", ["a", "b"], ["p", "q"], [[1.5, -0.2], [double.NaN, 0.02]]), out var chart)) return;
        var limits = ChartAssert.Visible(chart, _root);

        var bars = chart.Plot.GetPlottables().OfType<BarPlot>().ToList();
        Assert.Equal([1.0, 0.0], bars[0].Bars.Select(b => b.Value));
        Assert.Equal([0.02], bars[1].Bars.Select(b => b.Value)); // NaN draws no bar rather than a made-up one
        Assert.Equal((0.0, 1.15), (limits.Bottom, limits.Top), (a, b) => Math.Abs(a.Item1 - b.Item1) < 1e-12 && Math.Abs(a.Item2 - b.Item2) < 1e-12);
    }

    [Fact]
    public void Fractions_Small_AreNotFlattenedByAFixedAxis()
    {
        if (!ChartAssert.TryBuild(() => Plots.Fractions("f.png", "t", "x", "y", ["a"], ["p"], [[0.004]]), out var chart)) return;

        Assert.True(ChartAssert.Visible(chart, _root).Top < 0.01);
    }

    [Fact]
    public void LogAxis_OfASinglePoint_SpansADecadeWithTwoLabelledTicks()
    {
        if (!ChartAssert.TryBuild(() => Plots.Lines("l.png", "t", "x", "y", [new Series("s", [1], [3])], logY: true), out var chart)) return;
        var limits = ChartAssert.Visible(chart, _root);

        Assert.True(limits.Top - limits.Bottom >= 1 - 1e-12);
        var ticks = chart.Plot.Axes.Left.TickGenerator.Ticks.Where(t => t.IsMajor && t.Position >= limits.Bottom && t.Position <= limits.Top).ToList();
        Assert.True(ticks.Count >= 2, $"{ticks.Count} tick(s)");
        Assert.Contains(ticks, t => t.Label == "2" || t.Label == "5" || t.Label == "1");
    }

    [Fact]
    public void ASeriesWithNothingToDraw_IsNamedInTheLegend()
    {
        if (!ChartAssert.TryBuild(() => Plots.Lines("l.png", "t", "x", "y",
            [new Series("diverged", [1, 2], [double.PositiveInfinity, double.NaN]), new Series("fine", [1, 2], [1, 2])], logY: true), out var chart)) return;
        ChartAssert.Visible(chart, _root);

        Assert.Equal("diverged: no positive finite value", Assert.Single(chart.Plot.Legend.ManualItems).LabelText);
        Assert.Equal("fine", Assert.Single(chart.Plot.GetPlottables().OfType<Scatter>()).LegendText);
    }
}
