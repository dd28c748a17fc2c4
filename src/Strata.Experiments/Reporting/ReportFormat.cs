using System.Globalization;

namespace Strata.Experiments.Reporting;

/// <summary>How the reports write numbers and figures: invariant culture everywhere.</summary>
internal static class ReportFormat
{
    public static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    public static string F4(double v) => v.ToString("F4", CultureInfo.InvariantCulture);

    public static string F2(double v) => v.ToString("F2", CultureInfo.InvariantCulture);

    public static string G(float v) => v.ToString("G", CultureInfo.InvariantCulture);

    /// <summary>A Markdown image, or a note saying why the chart is missing.</summary>
    public static string Figure(string file, string caption, string? warning) =>
        warning is null ? $"![{caption}]({file})\n\n" : $"*({caption}: chart not drawn — {warning})*\n\n";
}
