using System.Text;

namespace Strata;

/// <summary>
/// A checkpoint path with Keras's placeholders, read as Python's <c>str.format(epoch=epoch + 1, **logs)</c> reads it:
/// <c>{epoch}</c> and <c>{epoch:02d}</c> (1-based), <c>{val_loss:.4f}</c>, <c>{loss:.2f}</c>, any key of the epoch's
/// logs with a spec of <see cref="PythonFormat"/>; <c>{{</c> and <c>}}</c> are literal braces. A bad template is an
/// error when the callback is made, a key the run does not report when training begins.
/// </summary>
internal sealed class FilePathTemplate
{
    private const string Epoch = "epoch";
    private readonly List<(string? Literal, string Key, PythonFormat.Spec Spec)> _parts = [];

    /// <exception cref="ArgumentException">An unmatched brace, an empty or indexed field, or an unsupported spec.</exception>
    public FilePathTemplate(string template)
    {
        var literal = new StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            char ch = template[i];
            if ((ch == '{' || ch == '}') && i + 1 < template.Length && template[i + 1] == ch)
            {
                literal.Append(ch);
                i++;
                continue;
            }
            if (ch == '}') throw Bad(template, $"a single '}}' at {i} (write '}}}}' for a literal brace)");
            if (ch != '{')
            {
                literal.Append(ch);
                continue;
            }
            int close = template.IndexOf('}', i + 1);
            if (close < 0) throw Bad(template, $"the '{{' at {i} is never closed (write '{{{{' for a literal brace)");
            string field = template[(i + 1)..close];
            int colon = field.IndexOf(':', StringComparison.Ordinal);
            string key = colon < 0 ? field : field[..colon];
            if (key.Length == 0 || key.AsSpan().IndexOfAny("{.[!") >= 0 || key.All(char.IsAsciiDigit))
                throw Bad(template, $"the field '{{{field}}}' needs a log key such as epoch or val_loss (no positions, attributes, indices or conversions)");
            var spec = PythonFormat.Parse(colon < 0 ? "" : field[(colon + 1)..], key, integer: key == Epoch);
            if (literal.Length > 0) _parts.Add((literal.ToString(), "", default));
            literal.Clear();
            _parts.Add((null, key, spec));
            i = close;
        }
        if (literal.Length > 0) _parts.Add((literal.ToString(), "", default));
    }

    /// <summary>Refuses a field that none of <paramref name="keys"/> (besides epoch) fills, naming it and what there is.</summary>
    public void RequireKeys(IReadOnlyCollection<string> keys)
    {
        foreach (var (literal, key, _) in _parts)
        {
            if (literal is null && key != Epoch && !keys.Contains(key))
                throw new InvalidOperationException($"ModelCheckpoint's file path names '{{{key}}}', which this Fit does not report; it reports: {Epoch}, {string.Join(", ", keys)}.");
        }
    }

    /// <summary>The path for 1-based <paramref name="epoch"/> and that epoch's <paramref name="logs"/>.</summary>
    public string Format(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        var path = new StringBuilder();
        foreach (var (literal, key, spec) in _parts)
        {
            if (literal is not null)
            {
                path.Append(literal);
                continue;
            }
            if (key == Epoch)
            {
                path.Append(PythonFormat.Format(epoch, integer: true, spec));
                continue;
            }
            if (!logs.TryGetValue(key, out double value))
                throw new InvalidOperationException($"ModelCheckpoint's file path names '{{{key}}}', which this epoch's logs lack; they hold: {Epoch}, {string.Join(", ", logs.Keys)}.");
            path.Append(PythonFormat.Format(value, integer: false, spec));
        }
        return path.ToString();
    }

    private static ArgumentException Bad(string template, string why) => new($"ModelCheckpoint's file path '{template}' has {why}.", "filePath");
}
