using System.Globalization;
using System.Text;

namespace Strata;

public sealed partial class Sequential
{
    /// <summary>
    /// Keras's model summary: one row per layer with its name and type, batched output shape and parameter
    /// count, then the total, trainable and non-trainable counts with their size as float32.
    /// </summary>
    public string Summary()
    {
        BuildFromDeclaredShape();
        if (!IsBuilt)
            throw new InvalidOperationException($"Model '{Name}' is not built: give the first layer an inputShape, or call Build or Fit first.");

        // Column ends as Keras places them for a Sequential at line length 65: 45%, 85%, 100%.
        const int width = 65;
        int[] ends = [29, 55, width];
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Model: \"{Name}\"").AppendLine();
        sb.AppendLine(new string('_', width));
        sb.AppendLine(Row(ends, "Layer (type)", "Output Shape", "Param #"));
        sb.AppendLine(new string('=', width));
        for (int i = 0; i < _layers.Count; i++)
        {
            var layer = _layers[i];
            sb.AppendLine(Row(ends, $"{layer.Name} ({layer.TypeName})", layer.OutputShape.ToBatchString(),
                layer.CountParams().ToString(CultureInfo.InvariantCulture)));
            sb.AppendLine(new string(' ', width));
        }
        sb.AppendLine(new string('=', width));
        long trainable = _layers.SelectMany(l => l.TrainableWeights).Sum(w => (long)w.Size);
        long all = CountParams();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Total params: {Count(all)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Trainable params: {Count(trainable)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Non-trainable params: {Count(all - trainable)}");
        sb.Append(new string('_', width));
        return sb.ToString();
    }

    /// <summary>
    /// One table row the way tf.keras prints it: a leading space, then each field from the previous column
    /// end, cut to leave room before the next column and padded to its own end; what was cut continues on
    /// the next line ("batch_normalization (Batch" / " Normalization)").
    /// </summary>
    private static string Row(int[] ends, params string[] fields)
    {
        var rest = (string[])fields.Clone();
        var lines = new List<string>();
        while (rest.Any(f => f.Length > 0))
        {
            var line = new StringBuilder(" ");
            for (int i = 0; i < rest.Length; i++)
            {
                bool last = i == rest.Length - 1;
                int room = ends[i] - (i == 0 ? 0 : ends[i - 1]) - (last ? 0 : 3);
                int take = Math.Min(room, rest[i].Length);
                line.Append(rest[i], 0, take);
                rest[i] = rest[i][take..];
                line.Append(' ', Math.Max(0, ends[i] - line.Length));
            }
            lines.Add(line.ToString());
        }
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>"266,610 (1.02 MB)": the count and its float32 size in binary units, as Keras 3 prints them.</summary>
    private static string Count(long parameters)
    {
        double bytes = parameters * 4.0;
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        int u = 0;
        while (bytes >= 1024 && u < units.Length - 1)
        {
            bytes /= 1024;
            u++;
        }
        return string.Create(CultureInfo.InvariantCulture, $"{parameters:N0} ({bytes:F2} {units[u]})");
    }
}
