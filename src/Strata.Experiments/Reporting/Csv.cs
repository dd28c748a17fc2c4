using System.Globalization;
using System.Text;

namespace Strata.Experiments.Reporting;

/// <summary>Writes CSV files: invariant culture, round-trippable numbers, quoted cells only where needed.</summary>
internal sealed class Csv
{
    private readonly StringBuilder _text = new();
    private readonly int _columns;

    public Csv(params string[] header)
    {
        _columns = header.Length;
        Row(header);
    }

    /// <summary>Appends a row; numbers are formatted invariantly (R for doubles), null is an empty cell.</summary>
    public Csv Row(params object?[] cells)
    {
        if (cells.Length != _columns) throw new ArgumentException($"A CSV row has {cells.Length} cells; the header has {_columns}.");
        _text.AppendJoin(',', cells.Select(Format)).Append('\n');
        return this;
    }

    /// <summary>Writes the file; returns its path.</summary>
    public string Save(string path)
    {
        File.WriteAllText(path, _text.ToString());
        return path;
    }

    public override string ToString() => _text.ToString();

    private static string Format(object? cell) => cell switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => Quote(cell.ToString() ?? ""),
    };

    private static string Quote(string s) => s.IndexOfAny([',', '"', '\n']) < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
