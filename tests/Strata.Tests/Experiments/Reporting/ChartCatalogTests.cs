using Strata.Experiments;
using Strata.Experiments.Reporting;

namespace Strata.Tests.Experiments.Reporting;

/// <summary>
/// Every chart the CLI can write, rendered from small data in each situation that once drew an empty or
/// misleading chart, and checked by <see cref="ChartAssert.Visible"/>; together the situations must produce
/// exactly the charts of <see cref="ChartCatalog.All"/>, so a new chart is checked as soon as it exists.
/// </summary>
public sealed class ChartCatalogTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("strata-charts-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static readonly Threshold GlobalClip = new("globalClipNorm 5", 5), PerWeightClip = new("clipNorm 0.5 (per weight)", 0.5);

    /// <summary>Each situation by name, with the charts it makes.</summary>
    private static readonly Dictionary<string, Func<IReadOnlyList<Chart>>> Situations = new()
    {
        ["train, 1 epoch"] = () => TrainingCharts.Build(ChartData.Training(1, 4), "mlp"),
        ["train, 1 step"] = () => TrainingCharts.Build(ChartData.Training(1, 1), "mlp"),
        ["train, resumed at epoch 3 for 1 epoch, globalClipNorm"] = () => TrainingCharts.Build(ChartData.Training(1, 4), "mlp", firstEpoch: 3, clipping: GlobalClip),
        ["train, 30 epochs of 120 steps, clipNorm"] = () => TrainingCharts.Build(ChartData.Training(30, 120), "mlp", clipping: PerWeightClip),
        ["batchnorm, quick, 1 seed"] = () => BatchNormReport.Charts(BatchNormSettings.Quick(1), ChartData.BatchNorm(BatchNormSettings.Quick(1))),
        ["batchnorm, quick, 2 seeds"] = () => BatchNormReport.Charts(BatchNormSettings.Quick(2), ChartData.BatchNorm(BatchNormSettings.Quick(2))),
        ["clipping, quick"] = () => ClippingReport.Charts(ClippingSettings.Quick(1), ChartData.Clipping(ClippingSettings.Quick(1))),
        ["residual, quick"] = () => ResidualReport.Charts(ChartData.Residual(ResidualSettings.Quick(1))),
        ["residual, 2 seeds"] = () => ResidualReport.Charts(ChartData.Residual(ResidualSettings.Quick(2))),
        ["transfer, 30 seeds"] = () => TransferReport.Charts(ChartData.Transfer(TransferSettings.Full(30), spec => spec.Reused ? 0.004 + spec.Seed * 1e-4 : 0.01 + (spec.Seed % 7) * 1e-3)),
        ["transfer, 1 seed, every error equal"] = () => TransferReport.Charts(ChartData.Transfer(TransferSettings.Quick(1), _ => 0.01)),
        ["clipping, quick, no success and no explosion"] = () => ClippingReport.Charts(ClippingSettings.Quick(2), ChartData.Clipping(ClippingSettings.Quick(2), allZero: true)),
    };

    public static TheoryData<string> SituationNames() => [.. Situations.Keys];

    [Theory]
    [MemberData(nameof(SituationNames))]
    public void EveryChart_ShowsEverySeriesInsideItsAxes(string situation)
    {
        if (!ChartAssert.TryBuild(Situations[situation], out var charts)) return;
        Assert.NotEmpty(charts);
        string folder = Path.Combine(_root, situation.Replace(',', '_').Replace(' ', '_'));
        foreach (var chart in charts)
        {
            Assert.Contains(chart.FileName, ChartCatalog.All);
            ChartAssert.Visible(chart, folder);
        }
    }

    [Fact]
    public void TheSituations_DrawEveryChartOfTheCatalog()
    {
        if (!ChartAssert.TryBuild(() => Situations.Values.SelectMany(build => build()).Select(c => c.FileName).ToHashSet(), out var drawn)) return;
        Assert.Equal(ChartCatalog.All.Order(), drawn.Order());
        Assert.Equal(ChartCatalog.All.Count, ChartCatalog.All.Distinct().Count());
    }
}
