using System.Buffers.Binary;
using Strata.Experiments.Reporting;

namespace Strata.Tests.Experiments.Reporting;

/// <summary>What the reports' files must look like: PNG charts of the right size (or the reason they are missing) and CSV files.</summary>
internal static class ReportAssert
{
    /// <summary>
    /// Whether this machine has a font for the charts. The CI machine has (Debian's fonts-dejavu-core); on one
    /// without, the experiments skip the charts with a warning, and the tests check that instead.
    /// </summary>
    public static bool FontsAvailable()
    {
        try
        {
            FontCheck.Family();
            return true;
        }
        catch (PlotUnavailableException)
        {
            return false;
        }
    }

    /// <summary>
    /// The report embeds the chart and the PNG is well-formed, or (no fonts) the report and <paramref name="warning"/>
    /// (the CLI's output, or the report's chart warning) say why it is missing.
    /// </summary>
    public static void AssertChart(string folder, string chart, string report, string? warning)
    {
        if (FontsAvailable())
        {
            Assert.Contains($"]({chart})", report, StringComparison.Ordinal);
            AssertPng(Path.Combine(folder, chart));
        }
        else
        {
            Assert.Contains("chart not drawn", report, StringComparison.Ordinal);
            Assert.Contains("no fonts were found", warning, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(folder, chart)));
        }
    }

    /// <summary>A PNG file: the eight-byte signature, an IHDR of the charts' size, and more than a blank image's bytes.</summary>
    public static void AssertPng(string path)
    {
        Assert.True(File.Exists(path), $"{path} is missing");
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(Plots.Width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(Plots.Height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        Assert.True(bytes.Length > 8_000, $"{path} has only {bytes.Length} bytes");
    }

    /// <summary>A CSV with the given header and <paramref name="rows"/> rows of as many cells; returns the rows.</summary>
    public static List<string[]> AssertCsv(string path, string header, int rows)
    {
        string[] lines = File.ReadAllLines(path);
        Assert.Equal(header, lines[0]);
        Assert.Equal(rows, lines.Length - 1);
        int columns = header.Split(',').Length;
        var cells = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.All(cells, row => Assert.Equal(columns, row.Length));
        return cells;
    }
}
