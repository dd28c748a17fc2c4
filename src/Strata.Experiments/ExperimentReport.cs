namespace Strata.Experiments;

/// <summary>
/// The folder an experiment's <c>WriteReport</c> wrote: report.md, the CSV data and the PNG charts (<see cref="Files"/>,
/// every path written), or, on a machine without fonts, everything but the charts and <see cref="ChartWarning"/>
/// saying why (the numbers matter more than the pictures, so a missing font does not fail the run).
/// </summary>
public sealed record ExperimentReport(string Directory, IReadOnlyList<string> Files, string? ChartWarning)
{
    /// <summary>The Markdown report's name in <see cref="Directory"/>.</summary>
    public const string ReportFileName = "report.md";

    /// <summary>The path of the Markdown report.</summary>
    public string ReportFile => Path.Combine(Directory, ReportFileName);
}
