using ScottPlot;

namespace Strata.Cli.Experiments;

/// <summary>One line of a chart: its legend label and its points (NaN y values leave a gap).</summary>
internal sealed record Series(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>
/// The one place that draws PNG charts (ScottPlot, rendered by SkiaSharp without any display). The experiments
/// and <c>strata train</c> call these; nothing else touches ScottPlot.
/// </summary>
internal static class Plots
{
    /// <summary>Width and height of every chart, in pixels.</summary>
    public const int Width = 800, Height = 500;

    /// <summary>
    /// Runs <paramref name="draw"/>; returns null, or why no chart could be drawn (a machine without fonts), so a run
    /// still writes its numbers and says what is missing.
    /// </summary>
    public static string? TryDraw(Action draw)
    {
        try
        {
            draw();
            return null;
        }
        catch (PlotUnavailableException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// A line chart. With <paramref name="logY"/> the y values are drawn as log₁₀ (non-positive values are left out)
    /// and the axis is labelled with the powers of ten they stand for.
    /// </summary>
    public static void Lines(string path, string title, string xLabel, string yLabel, IEnumerable<Series> series,
        bool logY = false, (double Min, double Max)? yLimits = null, bool integerX = false)
    {
        var plot = NewPlot(title, xLabel, yLabel);
        if (integerX) plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        int index = 0;
        foreach (var s in series)
        {
            var (xs, ys) = Finite(s.X, s.Y, logY);
            if (xs.Length == 0) { index++; continue; }
            low = Math.Min(low, ys.Min());
            high = Math.Max(high, ys.Max());
            var line = plot.Add.ScatterLine(xs, ys, Palette(index++));
            line.LegendText = s.Label;
            line.LineWidth = 2;
        }
        if (logY && low <= high) UseLogTicks(plot, low, high);
        if (yLimits is { } limits) plot.Axes.SetLimitsY(logY ? Math.Log10(limits.Min) : limits.Min, logY ? Math.Log10(limits.Max) : limits.Max);
        Save(plot, path);
    }

    /// <summary>
    /// Percentile bands, as in Ioffe and Szegedy's Fig. 1 (b, c): for each panel the median as a line and the
    /// region between the lower and upper percentile filled. All panels share one y range so they compare.
    /// </summary>
    public static void Bands(string path, string title, string xLabel, string yLabel,
        IReadOnlyList<(string Label, double[] X, double[] Low, double[] Mid, double[] High)> bands)
    {
        var plot = NewPlot(title, xLabel, yLabel);
        for (int i = 0; i < bands.Count; i++)
        {
            var b = bands[i];
            var color = Palette(i);
            var fill = plot.Add.FillY(b.X, b.High, b.Low);
            fill.FillColor = color.WithAlpha(0.25);
            fill.LineColor = color.WithAlpha(0.6);
            fill.LegendText = b.Label + " (15th–85th)";
            var median = plot.Add.ScatterLine(b.X, b.Mid, color);
            median.LineWidth = 2;
            median.LegendText = b.Label + " (median)";
        }
        Save(plot, path);
    }

    /// <summary>
    /// Grouped bars: one group per category along x, one bar per series inside it (its legend label), heights
    /// from <paramref name="values"/>[series][category].
    /// </summary>
    public static void GroupedBars(string path, string title, string xLabel, string yLabel,
        IReadOnlyList<string> categories, IReadOnlyList<string> seriesLabels, double[][] values, (double Min, double Max)? yLimits = null)
    {
        var plot = NewPlot(title, xLabel, yLabel);
        int groups = categories.Count, perGroup = seriesLabels.Count;
        double width = 0.8 / perGroup;
        for (int s = 0; s < perGroup; s++)
        {
            var bars = new List<Bar>();
            for (int c = 0; c < groups; c++)
            {
                double position = c - 0.4 + width * (s + 0.5);
                bars.Add(new Bar { Position = position, Value = values[s][c], Size = width * 0.9, FillColor = Palette(s) });
            }
            var plottable = plot.Add.Bars(bars);
            plottable.LegendText = seriesLabels[s];
            plottable.Color = Palette(s);
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, groups).Select(i => (double)i).ToArray(), categories.ToArray());
        plot.Axes.Margins(bottom: 0);
        if (yLimits is { } limits) plot.Axes.SetLimitsY(limits.Min, limits.Max);
        Save(plot, path);
    }

    private static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        string family = FontCheck.Family();
        var plot = new Plot();
        plot.Font.Set(family);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot;
    }

    private static void Save(Plot plot, string path)
    {
        plot.ShowLegend(Edge.Right);
        if (plot.GetPlottables().All(p => string.IsNullOrEmpty(p.LegendItems.FirstOrDefault()?.LabelText))) plot.HideLegend();
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Pairs of finite points (and positive ones, as log₁₀, on a log axis).</summary>
    private static (double[] X, double[] Y) Finite(IReadOnlyList<double> x, IReadOnlyList<double> y, bool log)
    {
        if (x.Count != y.Count) throw new ArgumentException($"A series has {x.Count} x values and {y.Count} y values.");
        var xs = new List<double>(x.Count);
        var ys = new List<double>(y.Count);
        for (int i = 0; i < x.Count; i++)
        {
            double v = y[i];
            if (!double.IsFinite(v) || !double.IsFinite(x[i]) || (log && v <= 0)) continue;
            xs.Add(x[i]);
            ys.Add(log ? Math.Log10(v) : v);
        }
        return (xs.ToArray(), ys.ToArray());
    }

    /// <summary>
    /// Ticks for data drawn as log₁₀ between <paramref name="low"/> and <paramref name="high"/>: at 1, 2 and 5 times
    /// each power of ten over a short range, at the powers of ten alone over a long one, labelled with the values.
    /// </summary>
    private static void UseLogTicks(Plot plot, double low, double high)
    {
        int first = (int)Math.Floor(low), last = (int)Math.Ceiling(high);
        double[] mantissas = last - first > 4 ? [1] : [1, 2, 5];
        var positions = new List<double>();
        var labels = new List<string>();
        for (int k = first; k <= last; k++)
        {
            foreach (double m in mantissas)
            {
                double at = k + Math.Log10(m);
                if (at < low - 0.05 || at > high + 0.05) continue;
                positions.Add(at);
                labels.Add((m * Math.Pow(10, k)).ToString(k is >= -4 and <= 6 ? "0.####" : "0E+0", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        if (positions.Count < 2) return; // the automatic ticks, in log₁₀ units, are better than one lone label
        plot.Axes.Left.SetTicks(positions.ToArray(), labels.ToArray());
    }

    /// <summary>Tableau-like colours, distinguishable in print.</summary>
    private static Color Palette(int index) => s_palette[index % s_palette.Length];

    private static readonly Color[] s_palette =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#d62728"), Color.FromHex("#2ca02c"), Color.FromHex("#ff7f0e"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f"),
    ];
}
