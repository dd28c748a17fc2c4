using System.Globalization;
using ScottPlot.Plottables;
using Strata.Experiments.Reporting;

namespace Strata.Tests.Experiments.Reporting;

/// <summary>The charts of <c>strata train</c>: a one-epoch run, a resumed run, and the clipping threshold.</summary>
public sealed class TrainingChartsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("strata-training-charts-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static List<Scatter> Lines(Chart chart) => chart.Plot.GetPlottables().OfType<Scatter>().ToList();

    [Fact]
    public void OneEpoch_DrawsEveryCurveAsAMarkedPoint()
    {
        if (!ChartAssert.TryBuild(() => TrainingCharts.Build(ChartData.Training(1, 4), "mlp"), out var charts)) return;
        var curves = Lines(charts[0]);

        Assert.Equal(["loss", "val_loss", "accuracy", "val_accuracy"], curves.Select(c => c.LegendText));
        Assert.All(curves, c => Assert.Equal([1.0], c.Data.GetScatterPoints().Select(p => p.X)));
        Assert.All(curves, c => Assert.True(c.MarkerSize > 0)); // without a marker a single point is not drawn at all
        ChartAssert.Visible(charts[0], _root);
    }

    [Fact]
    public void ManySteps_AreDrawnAsALineWithoutMarkers()
    {
        if (!ChartAssert.TryBuild(() => TrainingCharts.Build(ChartData.Training(2, Plots.MarkerLimit), "mlp"), out var charts)) return;
        var trace = Assert.Single(Lines(charts[1]));

        Assert.Equal(0, trace.MarkerSize);
        Assert.Equal(2 * Plots.MarkerLimit, trace.Data.GetScatterPoints().Count);
    }

    [Fact]
    public void Resumed_ContinuesTheEpochAxisAndTheStepAxisOfTheGradientCsv()
    {
        var history = ChartData.Training(2, 4);
        if (!ChartAssert.TryBuild(() => TrainingCharts.Build(history, "mlp", firstEpoch: 3), out var charts)) return;

        Assert.All(Lines(charts[0]), c => Assert.Equal([3.0, 4.0], c.Data.GetScatterPoints().Select(p => p.X)));
        // Row (epoch e, step k) of the gradient CSV is step (e − 1) × 4 + k of the chart, continuing epochs 1 and 2's 8 steps.
        var rows = TrainingCsv.PerStep(history, firstEpoch: 3).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(r => r.Split(',')).Select(f => (int.Parse(f[0], CultureInfo.InvariantCulture) - 1) * 4 + int.Parse(f[1], CultureInfo.InvariantCulture));
        var steps = Assert.Single(Lines(charts[1])).Data.GetScatterPoints().Select(p => p.X).ToArray();
        Assert.Equal(rows.Select(r => (double)r), steps);
        Assert.Equal(9, steps[0]);
        Assert.True(ChartAssert.Visible(charts[1], _root).Left > 8);
    }

    [Fact]
    public void ClippingByNorm_DrawsItsThresholdAsALabelledLineInsideTheAxes()
    {
        var threshold = new Threshold("globalClipNorm 100", 100); // above every norm: the axis must reach it
        if (!ChartAssert.TryBuild(() => TrainingCharts.Build(ChartData.Training(1, 4), "mlp", clipping: threshold), out var charts)) return;

        var line = Assert.Single(charts[1].Plot.GetPlottables().OfType<HorizontalLine>());
        Assert.Equal(2, line.Y, 12); // drawn as log₁₀, like the norms
        Assert.Equal("globalClipNorm 100", line.LegendText);
        Assert.True(ChartAssert.Visible(charts[1], _root).Top > 2);
        Assert.Empty(charts[0].Plot.GetPlottables().OfType<HorizontalLine>());
    }

    [Fact]
    public void WithoutClippingByNorm_NoThresholdIsDrawn()
    {
        if (!ChartAssert.TryBuild(() => TrainingCharts.Build(ChartData.Training(1, 4), "mlp"), out var charts)) return;

        Assert.Empty(charts[1].Plot.GetPlottables().OfType<HorizontalLine>());
    }

    [Fact]
    public void FirstStep_FollowsTheEarlierEpochsSteps()
    {
        Assert.Equal(1, TrainingCharts.FirstStep(ChartData.Training(2, 5), firstEpoch: 1));
        Assert.Equal(11, TrainingCharts.FirstStep(ChartData.Training(2, 5), firstEpoch: 3));
        Assert.Equal(0, TrainingCharts.StepsPerEpoch(new History()));
    }
}
