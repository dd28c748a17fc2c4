using System.Globalization;
using System.Text;

namespace Strata.Experiments.Reporting;

/// <summary>
/// The CSV files of a training run, from the <see cref="History"/> that Fit returns: <c>strata train</c>'s
/// history.csv and <c>--log-gradients</c> file. Numbers are invariant; epochs are counted from 1, or from
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
    /// One row per step: <c>epoch,step,global,&lt;weight names&gt;</c>, the gradient norms before clipping
    /// (<paramref name="weightNames"/>: the model's trainable weights, in order).
    /// </summary>
    public static string PerStep(History history, IReadOnlyList<string> weightNames, int firstEpoch = 1)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(weightNames);
        var csv = new StringBuilder("epoch,step,global");
        foreach (string name in weightNames) csv.Append(',').Append(name);
        csv.Append('\n');
        int steps = TrainingCharts.StepsPerEpoch(history);
        for (int i = 0; i < history.GradientNorms.Count; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{(steps == 0 ? firstEpoch : i / steps + firstEpoch)},{(steps == 0 ? i + 1 : i % steps + 1)},{history.GradientNorms[i]:G6}");
            foreach (double n in history.WeightGradientNorms[i]) csv.Append(CultureInfo.InvariantCulture, $",{n:G6}");
            csv.Append('\n');
        }
        return csv.ToString();
    }
}
