using System.Globalization;
using System.Text;

namespace Strata.Experiments.Reporting;

/// <summary>
/// The CSV files of a training run, from the <see cref="History"/> that Fit returns: <c>strata train</c>'s
/// history.csv and the per-step gradients.csv (also <c>--log-gradients</c>). Numbers are invariant; epochs are counted from 1, or from
/// <c>firstEpoch</c> when the run resumed a saved model, so that a resumed run's rows continue the first run's.
/// </summary>
public static class TrainingCsv
{
    /// <summary>
    /// One row per epoch: <c>epoch,loss,&lt;metrics&gt;,val_loss,val_&lt;metrics&gt;</c> (in <see cref="ProgressLogger.OrderedKeys"/>
    /// order; <paramref name="metricNames"/> are the model's compiled metrics).
    /// </summary>
    public static string PerEpoch(History history, IReadOnlyList<string> metricNames, int firstEpoch = 1)
    {
        ArgumentNullException.ThrowIfNull(history);
        var keys = ProgressLogger.OrderedKeys(history.Values.Keys, metricNames).ToList();
        var csv = new StringBuilder();
        csv.Append("epoch");
        foreach (string key in keys) csv.Append(',').Append(key);
        csv.Append('\n');
        for (int epoch = 0; epoch < history.Epochs; epoch++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{epoch + firstEpoch}");
            foreach (string key in keys)
            {
                var column = history.Values[key];
                csv.Append(',');
                if (epoch < column.Count) csv.Append(column[epoch].ToString("R", CultureInfo.InvariantCulture));
            }
            csv.Append('\n');
        }
        return csv.ToString();
    }

    /// <summary>
    /// A resumed run's <see cref="PerEpoch"/> CSV after the earlier run's: the earlier file's rows before
    /// <paramref name="firstEpoch"/>, then the new rows; when the columns differ the new history stands alone (it
    /// cannot be merged row by row).
    /// </summary>
    public static string Continue(string earlier, string resumed, int firstEpoch)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        ArgumentNullException.ThrowIfNull(resumed);
        string[] old = earlier.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] added = resumed.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (old.Length == 0 || added.Length == 0 || old[0] != added[0]) return resumed;
        var kept = old.Skip(1).Where(row => int.TryParse(row.Split(',')[0], NumberStyles.None, CultureInfo.InvariantCulture, out int epoch)
            && epoch < firstEpoch);
        return string.Join('\n', [added[0], .. kept, .. added.Skip(1)]) + "\n";
    }

    /// <summary>
    /// One row per step: <c>epoch,step,global,&lt;weight names&gt;,layer:&lt;layer&gt;…,clipped:&lt;layer&gt;…</c>: the gradient
    /// norms before clipping (<see cref="History.WeightNames"/>), then each layer's
    /// before clipping and after it (<see cref="History.LayerGradientNorms"/>; empty for a skipped step), which
    /// <see cref="ReadLayerNorms"/> reads back.
    /// </summary>
    public static string PerStep(History history, int firstEpoch = 1)
    {
        ArgumentNullException.ThrowIfNull(history);
        var layers = history.LayerGradientNorms;
        bool perLayer = layers.Steps == history.GradientNorms.Count;
        var csv = new StringBuilder("epoch,step,global");
        foreach (string name in history.WeightNames) csv.Append(',').Append(name);
        if (perLayer)
        {
            foreach (string name in layers.Layers) csv.Append(',').Append(LayerPrefix).Append(name);
            foreach (string name in layers.Layers) csv.Append(',').Append(ClippedPrefix).Append(name);
        }
        csv.Append('\n');
        int steps = TrainingCharts.StepsPerEpoch(history);
        for (int i = 0; i < history.GradientNorms.Count; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{(steps == 0 ? firstEpoch : i / steps + firstEpoch)},{(steps == 0 ? i + 1 : i % steps + 1)},{history.GradientNorms[i]:G6}");
            foreach (double n in history.WeightGradientNorms[i]) csv.Append(CultureInfo.InvariantCulture, $",{n:G6}");
            if (perLayer)
            {
                foreach (double n in layers.Before(i)) csv.Append(CultureInfo.InvariantCulture, $",{n:G6}");
                foreach (double n in layers.After(i)) csv.Append(',').Append(double.IsNaN(n) ? "" : n.ToString("G6", CultureInfo.InvariantCulture));
            }
            csv.Append('\n');
        }
        return csv.ToString();
    }

    /// <summary>The column prefixes of each layer's norm before and after clipping in <see cref="PerStep"/>.</summary>
    public const string LayerPrefix = "layer:", ClippedPrefix = "clipped:";

    /// <summary>
    /// The per-layer norms and the global norm of every step of a <see cref="PerStep"/> CSV, for
    /// <see cref="GradientDiagnosis"/>. An empty after-clipping cell is a skipped step (NaN).
    /// </summary>
    /// <exception cref="InvalidDataException">The text is not such a CSV; the message names the line.</exception>
    public static (LayerGradientNorms Norms, double[] Global) ReadLayerNorms(string csv, string source = "the gradient CSV")
    {
        ArgumentNullException.ThrowIfNull(csv);
        string[] lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0) throw new InvalidDataException($"{source} is empty.");
        string[] header = lines[0].TrimEnd('\r').Split(',');
        int global = Array.IndexOf(header, "global");
        var before = header.Select((h, i) => (h, i)).Where(c => c.h.StartsWith(LayerPrefix, StringComparison.Ordinal)).ToArray();
        var after = header.Select((h, i) => (h, i)).Where(c => c.h.StartsWith(ClippedPrefix, StringComparison.Ordinal)).ToArray();
        if (global < 0 || before.Length == 0 || after.Length != before.Length)
            throw new InvalidDataException($"{source} has no per-layer gradient norms (columns global, {LayerPrefix}NAME and {ClippedPrefix}NAME); it was not written by this version of strata train.");
        string[] names = [.. before.Select(c => c.h[LayerPrefix.Length..])];
        int rows = lines.Length - 1;
        var globalNorms = new double[rows];
        double[] b = new double[rows * names.Length], a = new double[rows * names.Length];
        for (int r = 0; r < rows; r++)
        {
            string[] cells = lines[r + 1].TrimEnd('\r').Split(',');
            if (cells.Length != header.Length)
                throw new InvalidDataException($"{source}, line {r + 2}: {cells.Length} cells for {header.Length} columns.");
            globalNorms[r] = Number(cells[global], r);
            for (int l = 0; l < names.Length; l++)
            {
                b[r * names.Length + l] = Number(cells[before[l].i], r);
                a[r * names.Length + l] = cells[after[l].i].Length == 0 ? double.NaN : Number(cells[after[l].i], r);
            }
        }
        return (new LayerGradientNorms(names, b, a), globalNorms);

        double Number(string cell, int row) =>
            double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
            : throw new InvalidDataException($"{source}, line {row + 2}: '{cell}' is not a number.");
    }
}
