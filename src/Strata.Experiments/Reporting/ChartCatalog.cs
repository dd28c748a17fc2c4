namespace Strata.Experiments.Reporting;

/// <summary>
/// Every chart the CLI can write, by file name, in one list: the chart tests render each one from small data and
/// check that this list and the charts they rendered are the same, so a chart cannot be added unchecked.
/// </summary>
internal static class ChartCatalog
{
    /// <summary>The charts of <c>strata train</c> and of <c>strata experiment batchnorm</c>, <c>clipping</c> and <c>residual</c>.</summary>
    public static IReadOnlyList<string> All { get; } = [.. TrainingCharts.ChartFiles, .. BatchNormReport.ChartFiles, .. ClippingReport.ChartFiles, .. ResidualReport.ChartFiles, .. TransferReport.ChartFiles];
}
