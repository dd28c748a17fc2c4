using System.Globalization;
using System.Text;

namespace Strata;

/// <summary>
/// The text table of a model summary, laid out as tf.keras prints it: columns ending at fixed fractions of the line,
/// a leading space, fields cut to leave room before the next column and continued on the next line.
/// </summary>
internal static class SummaryTable
{
    /// <summary>
    /// One table row: a leading space, then each field from the previous column end, cut to leave room before the next
    /// column and padded to its own end; what was cut continues on the next line ("batch_normalization (Batch" /
    /// " Normalization)"). A field given as several lines starts each on a line of its own.
    /// </summary>
    public static string Row(int[] ends, params string[] fields) => Row(ends, [.. fields.Select(f => new[] { f })]);

    /// <inheritdoc cref="Row(int[], string[])"/>
    /// <param name="ends">Where each column ends.</param>
    /// <param name="lines">Each field as its lines.</param>
    public static string Row(int[] ends, string[][] lines)
    {
        var rest = lines.Select(l => new Queue<string>(l)).ToArray();
        var current = rest.Select(q => q.Count > 0 ? q.Dequeue() : "").ToArray();
        var output = new List<string>();
        while (current.Any(f => f.Length > 0) || rest.Any(q => q.Count > 0))
        {
            var line = new StringBuilder(" ");
            for (int i = 0; i < current.Length; i++)
            {
                bool last = i == current.Length - 1;
                int room = ends[i] - (i == 0 ? 0 : ends[i - 1]) - (last ? 0 : 3);
                int take = Math.Min(room, current[i].Length);
                line.Append(current[i], 0, take);
                current[i] = current[i][take..];
                if (current[i].Length == 0 && rest[i].Count > 0) current[i] = rest[i].Dequeue();
                line.Append(' ', Math.Max(0, ends[i] - line.Length));
            }
            output.Add(line.ToString());
        }
        return string.Join(Environment.NewLine, output);
    }

    /// <summary>
    /// Splits <paramref name="items"/> joined by ", " into lines of at most <paramref name="width"/> characters, breaking
    /// after a comma as a table cell wraps: "dense[0][0], dense_1[0][0]" in a narrow column is "dense[0][0]," and
    /// "dense_1[0][0]".
    /// </summary>
    public static string[] Wrap(IReadOnlyList<string> items, int width)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        for (int i = 0; i < items.Count; i++)
        {
            string item = items[i] + (i < items.Count - 1 ? "," : "");
            if (line.Length > 0 && line.Length + 1 + item.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear();
            }
            if (line.Length > 0) line.Append(' ');
            line.Append(item);
        }
        if (line.Length > 0) lines.Add(line.ToString());
        return [.. lines];
    }

    /// <summary>"266,610 (1.02 MB)": the count and its float32 size in binary units, as Keras 3 prints them.</summary>
    public static string Count(long parameters)
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
