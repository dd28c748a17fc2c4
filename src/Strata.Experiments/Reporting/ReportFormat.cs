using System.Globalization;

namespace Strata.Experiments.Reporting;

/// <summary>How the reports write numbers and figures: invariant culture everywhere.</summary>
internal static class ReportFormat
{
    public static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>A count with its thousands set apart by a space, as the reports' prose writes them ("60 000").</summary>
    public static string N(int v) => v.ToString("#,0", s_thousands);

    private static readonly NumberFormatInfo s_thousands = new() { NumberGroupSeparator = " " };

    public static string F4(double v) => v.ToString("F4", CultureInfo.InvariantCulture);

    public static string F2(double v) => v.ToString("F2", CultureInfo.InvariantCulture);

    public static string G(float v) => v.ToString("G", CultureInfo.InvariantCulture);

    /// <summary>A Markdown image, or a note saying why the chart is missing.</summary>
    public static string Figure(string file, string caption, string? warning) =>
        warning is null ? $"![{caption}]({file})\n\n" : $"*({caption}: chart not drawn — {warning})*\n\n";
}
