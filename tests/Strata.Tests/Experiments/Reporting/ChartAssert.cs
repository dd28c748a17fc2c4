using ScottPlot;
using ScottPlot.Plottables;
using SkiaSharp;
using Strata.Experiments.Reporting;

namespace Strata.Tests.Experiments.Reporting;

/// <summary>
/// What a reader of a chart must see, checked on the chart as it is saved: after <see cref="Plots.Save"/> has
/// rendered it (and so applied its own auto-scaling), every series has a point strictly inside the axis limits
/// and is drawn with a marker or as a line of two or more points, every bar stands inside the axes with its value
/// written above it, every threshold line lies inside them, and the PNG shows each series' colour in its data area.
/// </summary>
internal static class ChartAssert
{
    /// <summary>
    /// Runs <paramref name="build"/>; false (after checking that the failure is the documented one) on a machine
    /// without fonts, where the charts are refused with <see cref="PlotUnavailableException"/> and cannot be checked.
    /// </summary>
    public static bool TryBuild<T>(Func<T> build, out T built)
    {
        if (ReportAssert.FontsAvailable())
        {
            built = build();
            return true;
        }
        Assert.Throws<PlotUnavailableException>(() => build());
        built = default!;
        return false;
    }

    /// <summary>Saves <paramref name="chart"/> into <paramref name="directory"/>, checks it, and returns its axis limits.</summary>
    public static AxisLimits Visible(Chart chart, string directory)
    {
        string path = Assert.Single(Plots.Save(directory, [chart]));
        var limits = chart.Plot.Axes.GetLimits();
        string name = chart.FileName;
        Assert.True(limits.Left < limits.Right && limits.Bottom < limits.Top, $"{name}: axis limits {limits} have no area");
        var plottables = chart.Plot.GetPlottables().ToList();
        Assert.True(plottables.Count > 0, $"{name} draws nothing");
        foreach (var plottable in plottables)
        {
            switch (plottable)
            {
                case Scatter line:
                    var points = line.Data.GetScatterPoints();
                    Assert.True(points.Any(p => Inside(limits, p.X, p.Y)), $"{name}: '{line.LegendText}' has no point inside {limits}");
                    bool marked = line.MarkerSize > 0 && line.MarkerShape != MarkerShape.None;
                    Assert.True(marked || (points.Count >= 2 && line.LineWidth > 0),
                        $"{name}: '{line.LegendText}' has {points.Count} point(s) and no marker, so nothing of it is drawn");
                    break;
                case FillY band:
                    var extent = band.GetAxisLimits();
                    Assert.True(extent.Left < extent.Right, $"{name}: band '{band.LegendText}' has no width");
                    Assert.True(extent.Left < limits.Right && extent.Right > limits.Left && extent.Bottom < limits.Top && extent.Top > limits.Bottom,
                        $"{name}: band '{band.LegendText}' ({extent}) lies outside {limits}");
                    break;
                case BarPlot bars:
                    Assert.True(bars.Bars.Count > 0, $"{name}: '{bars.LegendText}' has no bar");
                    foreach (var bar in bars.Bars)
                    {
                        Assert.True(limits.Left < bar.Position && bar.Position < limits.Right, $"{name}: a '{bars.LegendText}' bar at x {bar.Position} is outside {limits}");
                        Assert.True(limits.Bottom <= bar.ValueBase && bar.Value < limits.Top && bar.Value >= limits.Bottom,
                            $"{name}: a '{bars.LegendText}' bar from {bar.ValueBase} to {bar.Value} leaves {limits}");
                        Assert.False(string.IsNullOrEmpty(bar.Label), $"{name}: a '{bars.LegendText}' bar has no value label");
                    }
                    break;
                case HorizontalLine threshold:
                    Assert.True(limits.Bottom < threshold.Y && threshold.Y < limits.Top, $"{name}: the line at {threshold.Y} is outside {limits}");
                    Assert.False(string.IsNullOrEmpty(threshold.LegendText), $"{name}: the line at {threshold.Y} has no label");
                    break;
                default:
                    Assert.Fail($"{name}: {plottable.GetType().Name} is a kind of plottable ChartAssert does not know how to check yet");
                    break;
            }
        }
        AssertColoursDrawn(path, chart, limits);
        return limits;
    }

    /// <summary>Strictly inside: a point on the frame of the data area is hidden under the axis line.</summary>
    public static bool Inside(AxisLimits limits, double x, double y) =>
        limits.Left < x && x < limits.Right && limits.Bottom < y && y < limits.Top;

    /// <summary>
    /// Decodes the PNG and looks, inside the data area of the last render, for each line's colour and for the fill
    /// colour of each series of bars that has a bar at least 3 pixels tall: a series covered by another, or drawn
    /// outside the data area, would not be found.
    /// </summary>
    private static void AssertColoursDrawn(string path, Chart chart, AxisLimits limits)
    {
        using var bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
        Assert.Equal((Plots.Width, Plots.Height), (bitmap.Width, bitmap.Height));
        var area = chart.Plot.RenderManager.LastRender.DataRect;
        var pixels = bitmap.Pixels;
        bool Drawn(Color colour)
        {
            for (int y = (int)Math.Ceiling(area.Top); y < (int)area.Bottom; y++)
                for (int x = (int)Math.Ceiling(area.Left); x < (int)area.Right; x++)
                {
                    var p = pixels[y * bitmap.Width + x];
                    if (Math.Abs(p.Red - colour.R) <= 24 && Math.Abs(p.Green - colour.G) <= 24 && Math.Abs(p.Blue - colour.B) <= 24) return true;
                }
            return false;
        }
        double pixelsPerUnit = area.Height / (limits.Top - limits.Bottom);
        foreach (var plottable in chart.Plot.GetPlottables())
        {
            if (plottable is Scatter line)
                Assert.True(Drawn(line.LineColor), $"{chart.FileName}: no pixel of '{line.LegendText}' in the data area of the PNG");
            else if (plottable is BarPlot bars && bars.Bars.FirstOrDefault(b => (b.Value - b.ValueBase) * pixelsPerUnit >= 3) is { } tall)
                Assert.True(Drawn(tall.FillColor), $"{chart.FileName}: no pixel of the '{bars.LegendText}' bars in the data area of the PNG");
        }
    }
}
