using System.Text;

namespace Strata.Experiments.Reporting;

/// <summary>A plain-text table with columns padded to their widest cell; the same text on a terminal or in a file.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length) throw new ArgumentException($"A row has {cells.Length} cells; the table has {headers.Length} columns.");
        _rows.Add(cells);
    }

    /// <summary>The table as text: the header, a rule, one line per row.</summary>
    public override string ToString() => Render(markdown: false);

    /// <summary>The table in Markdown (GitHub's pipe tables).</summary>
    public string ToMarkdown() => Render(markdown: true);

    private string Render(bool markdown)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        void Line(IReadOnlyList<string> cells)
        {
            if (markdown) text.Append("| ").AppendJoin(" | ", cells.Select((c, i) => c.PadRight(widths[i]))).Append(" |\n");
            else text.AppendJoin("  ", cells.Select((c, i) => c.PadRight(widths[i]))).Append('\n');
        }
        Line(headers);
        if (markdown) text.Append("| ").AppendJoin(" | ", widths.Select(w => new string('-', Math.Max(3, w)))).Append(" |\n");
        else text.AppendJoin("  ", widths.Select(w => new string('-', w))).Append('\n');
        foreach (var row in _rows) Line(row);
        return markdown ? text.ToString() : string.Join('\n', text.ToString().Split('\n').Select(l => l.TrimEnd()));
    }
}
