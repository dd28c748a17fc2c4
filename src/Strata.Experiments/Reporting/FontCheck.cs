using SkiaSharp;

namespace Strata.Experiments.Reporting;

/// <summary>
/// Chooses the charts' font, and refuses to draw without one. ScottPlot's SkiaSharp build for Linux reads fonts
/// from /usr/share/fonts by itself (no fontconfig). With that folder empty it still reports one font family, with
/// an empty name, and draws charts whose titles, labels and tick numbers are silently missing (verified by hiding
/// /usr/share/fonts); we would rather say so. ScottPlot's own default on Debian is DejaVu Serif (the first family
/// found), so a sans-serif family is picked when there is one.
/// </summary>
internal static class FontCheck
{
    private static readonly string[] Preferred = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "FreeSans", "Arial"];
    private static string? s_family;
    private static bool s_checked;

    /// <summary>The font family to draw text with.</summary>
    /// <exception cref="PlotUnavailableException">SkiaSharp sees no named font family at all.</exception>
    public static string Family()
    {
        if (!s_checked)
        {
            var families = SKFontManager.Default.FontFamilies.Where(f => !string.IsNullOrWhiteSpace(f)).ToArray();
            s_family = Preferred.FirstOrDefault(p => families.Contains(p, StringComparer.OrdinalIgnoreCase)) ?? families.FirstOrDefault();
            s_checked = true;
        }
        return s_family ?? throw new PlotUnavailableException(
            "no fonts were found for the PNG charts (SkiaSharp reads /usr/share/fonts); install one, e.g. `apt-get install fonts-dejavu-core`; the charts are skipped, the other results are still written.");
    }
}
