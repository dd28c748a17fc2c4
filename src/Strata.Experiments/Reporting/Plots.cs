using ScottPlot;

namespace Strata.Experiments.Reporting;

/// <summary>
/// The one place that builds and writes PNG charts (ScottPlot, rendered by SkiaSharp without any display). The
/// experiments and <c>strata train</c> call these; nothing else touches ScottPlot. The builders return the chart
/// unsaved (<see cref="Chart"/>) so that the tests can check what a reader will see, not only that a file exists.
/// </summary>
internal static class Plots
{
    /// <summary>Width and height of every chart, in pixels.</summary>
    public const int Width = 800, Height = 500;

    /// <summary>
    /// A series of at most this many points is drawn with a marker at every point as well as its line: a single
    /// point (a one-epoch run) has no line to draw, and a few points are read one by one. A longer series (a trace
    /// of every step) would be a smear of markers.
    /// </summary>
    public const int MarkerLimit = 50;

    private const float MarkerSize = 7;

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
    /// and the axis is labelled with the powers of ten they stand for. A series with nothing to draw is named in the
    /// legend with the reason. A <paramref name="threshold"/> is drawn as a dashed horizontal line named in the
    /// legend, and the y axis always reaches it.
    /// </summary>
    public static Chart Lines(string fileName, string title, string xLabel, string yLabel, IEnumerable<Series> series,
        bool logY = false, bool integerX = false, Threshold? threshold = null)
    {
        var plot = NewPlot(title, xLabel, yLabel);
        if (integerX) plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        int index = 0;
        foreach (var s in series)
        {
            var (xs, ys) = Finite(s.X, s.Y, logY);
            var color = Palette(index++); // a series with nothing to draw keeps its colour, so the others keep theirs
            if (xs.Length == 0)
            {
                // Named in the legend all the same: a run whose every norm was infinite must not look like a missing run.
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{s.Label}: no {(logY ? "positive " : "")}finite value" });
                continue;
            }
            low = Math.Min(low, ys.Min());
            high = Math.Max(high, ys.Max());
            AddLine(plot, xs, ys, color, s.Label);
        }
        if (threshold is { } t && double.IsFinite(t.Value) && (!logY || t.Value > 0))
        {
            double y = logY ? Math.Log10(t.Value) : t.Value;
            var line = plot.Add.HorizontalLine(y, width: 1.5f, color: ThresholdColor, pattern: LinePattern.Dashed);
            line.LegendText = t.Label;
            low = Math.Min(low, y);
            high = Math.Max(high, y);
        }
        if (logY && low <= high) UseLogAxis(plot, low, high);
        return Finish(fileName, plot);
    }

    /// <summary>
    /// Percentile bands, as in Ioffe and Szegedy's Fig. 1 (b, c): for each panel the median as a line and the
    /// region between the lower and upper percentile filled. All panels share one y range so they compare. Points
    /// where any of the three is not finite are left out.
    /// </summary>
    public static Chart Bands(string fileName, string title, string xLabel, string yLabel,
        IReadOnlyList<(string Label, double[] X, double[] Low, double[] Mid, double[] High)> bands)
    {
        var plot = NewPlot(title, xLabel, yLabel);
        for (int i = 0; i < bands.Count; i++)
        {
            var b = bands[i];
            var keep = Enumerable.Range(0, b.X.Length)
                .Where(j => double.IsFinite(b.X[j]) && double.IsFinite(b.Low[j]) && double.IsFinite(b.Mid[j]) && double.IsFinite(b.High[j])).ToArray();
            if (keep.Length == 0) continue;
            double[] Pick(double[] values) => keep.Select(j => values[j]).ToArray();
            var color = Palette(i);
            var fill = plot.Add.FillY(Pick(b.X), Pick(b.High), Pick(b.Low));
            fill.FillColor = color.WithAlpha(0.25);
            fill.LineColor = color.WithAlpha(0.6);
            fill.LegendText = b.Label + " (15th–85th)";
            AddLine(plot, Pick(b.X), Pick(b.Mid), color, b.Label + " (median)");
        }
        return Finish(fileName, plot);
    }

    /// <summary>
    /// Grouped bars of fractions (rates, accuracies): one group per category along x, one bar per series inside it
    /// (its legend label), heights <paramref name="values"/>[series][category] clamped to [0, 1] and written above
    /// each bar, so that a bar of height 0 still reads "0". The y axis starts at 0 and ends a little above the
    /// tallest bar (room for its label), or at 1 when every value is 0: small fractions stay visible and no
    /// negative fraction is ever shown. A NaN value draws no bar.
    /// </summary>
    public static Chart Fractions(string fileName, string title, string xLabel, string yLabel,
        IReadOnlyList<string> categories, IReadOnlyList<string> seriesLabels, double[][] values)
    {
        var plot = NewPlot(title, xLabel, yLabel);
        int groups = categories.Count, perGroup = seriesLabels.Count;
        double width = 0.8 / perGroup, tallest = 0;
        for (int s = 0; s < perGroup; s++)
        {
            var bars = new List<Bar>();
            for (int c = 0; c < groups; c++)
            {
                if (double.IsNaN(values[s][c])) continue;
                double value = Math.Clamp(values[s][c], 0, 1);
                tallest = Math.Max(tallest, value);
                double position = c - 0.4 + width * (s + 0.5);
                bars.Add(new Bar
                {
                    Position = position, Value = value, Size = width * 0.9, FillColor = Palette(s),
                    Label = value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture),
                });
            }
            var plottable = plot.Add.Bars(bars);
            plottable.LegendText = seriesLabels[s];
            plottable.ValueLabelStyle.FontSize = 10;
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, groups).Select(i => (double)i).ToArray(), categories.ToArray());
        plot.Axes.SetLimitsY(0, tallest > 0 ? tallest * 1.15 : 1);
        return Finish(fileName, plot);
    }

    /// <summary>
    /// A strip chart of distributions: one column of points per category along x, each value a marker, spread
    /// sideways by a fixed sequence (the golden ratio's, so equal values do not hide one another and a redraw looks the
    /// same), with a black bar at the category's median. Non-finite values are left out.
    /// </summary>
    public static Chart Strips(string fileName, string title, string xLabel, string yLabel,
        IReadOnlyList<string> categories, IReadOnlyList<IReadOnlyList<double>> values)
    {
        var plot = NewPlot(title, xLabel, yLabel);
        const double Spread = 0.3, Bar = 0.25;
        for (int c = 0; c < categories.Count; c++)
        {
            var ys = values[c].Where(double.IsFinite).ToArray();
            if (ys.Length == 0) continue;
            var xs = ys.Select((_, i) => c + Spread * ((i * 0.6180339887) % 1 - 0.5)).ToArray();
            var points = plot.Add.ScatterPoints(xs, ys, Palette(c));
            points.MarkerSize = MarkerSize;
            double median = Percentiles.Of(ys, 50);
            var bar = plot.Add.Scatter(new[] { c - Bar, c + Bar }, new[] { median, median }, ThresholdColor);
            bar.LineWidth = 3;
            bar.MarkerSize = 0;
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray(), categories.ToArray());
        plot.Axes.SetLimitsX(-0.6, categories.Count - 0.4);
        return Finish(fileName, plot);
    }

    /// <summary>Writes <paramref name="charts"/> as PNGs into <paramref name="directory"/> (created if needed); returns their paths.</summary>
    public static IReadOnlyList<string> Save(string directory, IEnumerable<Chart> charts)
    {
        Directory.CreateDirectory(directory);
        var paths = new List<string>();
        foreach (var chart in charts)
        {
            string path = Path.Combine(directory, chart.FileName);
            chart.Plot.SavePng(path, Width, Height);
            paths.Add(path);
        }
        return paths;
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

    /// <summary>The legend on the right, hidden when nothing in the chart has a label.</summary>
    private static Chart Finish(string fileName, Plot plot)
    {
        // A legend placed outside the data area and then hidden leaves ScottPlot an empty panel it cannot lay out: the
        // chart renders blank. So it is placed only when something has a label.
        bool labelled = plot.Legend.ManualItems.Count > 0 || plot.GetPlottables().Any(p => !string.IsNullOrEmpty(p.LegendItems.FirstOrDefault()?.LabelText));
        if (labelled) plot.ShowLegend(Edge.Right);
        else plot.HideLegend();
        return new Chart(fileName, plot);
    }

    /// <summary>A line through the points, with a marker at each when there are few (<see cref="MarkerLimit"/>).</summary>
    private static void AddLine(Plot plot, double[] xs, double[] ys, Color color, string label)
    {
        var line = plot.Add.Scatter(xs, ys, color);
        line.LineWidth = 2;
        line.MarkerSize = xs.Length <= MarkerLimit ? MarkerSize : 0;
        line.LegendText = label;
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
    /// Limits and ticks of a y axis for data drawn as log₁₀ between <paramref name="low"/> and <paramref name="high"/>:
    /// the data with ScottPlot's own margin (7.5% of their span each side), widened to at least one decade so that
    /// a single point or a flat trace still gets two or more labelled ticks (1, 2 and 5 are at most 0.4 decades
    /// apart); ticks at 1, 2 and 5 times each power of ten over a short range, at the powers alone over a long one,
    /// labelled with the values they stand for.
    /// </summary>
    private static void UseLogAxis(Plot plot, double low, double high)
    {
        double margin = 0.075 * (high - low), bottom = low - margin, top = high + margin;
        if (top - bottom < 1) (bottom, top) = ((low + high) / 2 - 0.5, (low + high) / 2 + 0.5);
        plot.Axes.SetLimitsY(bottom, top);
        int first = (int)Math.Floor(bottom), last = (int)Math.Ceiling(top);
        double[] mantissas = last - first > 4 ? [1] : [1, 2, 5];
        var positions = new List<double>();
        var labels = new List<string>();
        for (int k = first; k <= last; k++)
        {
            foreach (double m in mantissas)
            {
                double at = k + Math.Log10(m);
                if (at < bottom || at > top) continue;
                positions.Add(at);
                labels.Add((m * Math.Pow(10, k)).ToString(k is >= -4 and <= 6 ? "0.####" : "0E+0", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        plot.Axes.Left.SetTicks(positions.ToArray(), labels.ToArray());
    }

    /// <summary>Tableau-like colours, distinguishable in print.</summary>
    private static Color Palette(int index) => s_palette[index % s_palette.Length];

    /// <summary>Threshold lines are near-black, a colour no series has.</summary>
    private static readonly Color ThresholdColor = Color.FromHex("#222222");

    private static readonly Color[] s_palette =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#d62728"), Color.FromHex("#2ca02c"), Color.FromHex("#ff7f0e"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f"),
    ];
}
