using System.Globalization;
using nietras.SeparatedValues;

namespace Strata.Data.Files;

/// <summary>
/// Reads a table of examples from a CSV file, as a Keras user reads one with pandas: one column holds the label,
/// every other column is a numeric feature. Parsing (separators, quotes, line endings) is Sep's, a well-kept parser;
/// what is checked here is what a model needs: every feature cell a finite number in invariant culture, every row as
/// wide as the first, nothing missing. A bad cell is refused with an <see cref="InvalidDataException"/> naming the
/// file, the line (1-based, counting the header) and the column, so the user can fix the file rather than guess.
/// Blank lines are skipped, as pandas skips them.
/// </summary>
public static class CsvDataset
{
    /// <summary>Reads <paramref name="path"/> with the label in the column named <paramref name="labelColumn"/> (the file needs a header).</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="labelColumn">The label column's name in the header, e.g. "species".</param>
    /// <param name="options">Header, separator and label kind; <see cref="CsvOptions.Default"/> when null.</param>
    /// <param name="budget">The most memory the values may take (<see cref="MemoryBudget.Default"/> when null), checked as the buffer grows.</param>
    /// <returns>Features [n, f]; labels [n] class indices (names in <see cref="Dataset.ClassNames"/>) or [n, 1] numbers.</returns>
    /// <exception cref="InvalidDataException">A cell is missing or not a number, a row is ragged, or the file holds no rows.</exception>
    /// <exception cref="MemoryBudgetExceededException">The values would take more than the budget.</exception>
    public static CsvData Load(string path, string labelColumn, CsvOptions? options = null, MemoryBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(labelColumn);
        options ??= CsvOptions.Default;
        if (!options.HasHeader)
        {
            throw new ArgumentException(
                $"The label column '{labelColumn}' is named, but '{path}' is read without a header; give the column's index.", nameof(labelColumn));
        }
        return Read(path, options, budget, names =>
        {
            int index = Array.IndexOf(names, labelColumn);
            return index >= 0 ? index : throw new ArgumentException(
                $"'{path}' has no column '{labelColumn}'; its columns are {string.Join(", ", names.Select(n => $"'{n}'"))}.", nameof(labelColumn));
        });
    }

    /// <summary>
    /// Reads <paramref name="path"/> with the label in column <paramref name="labelColumn"/>: 0-based, negative
    /// counting from the end (−1 is the last column, as Python indexes).
    /// </summary>
    /// <inheritdoc cref="Load(string, string, CsvOptions?, MemoryBudget?)"/>
    public static CsvData Load(string path, int labelColumn, CsvOptions? options = null, MemoryBudget? budget = null) =>
        Read(path, options ?? CsvOptions.Default, budget, names =>
        {
            int index = labelColumn < 0 ? labelColumn + names.Length : labelColumn;
            return index >= 0 && index < names.Length ? index : throw new ArgumentOutOfRangeException(nameof(labelColumn), labelColumn,
                $"'{path}' has {names.Length} columns, so a label column index is in {-names.Length}..{names.Length - 1}.");
        });

    /// <summary>
    /// Reads the features of <paramref name="path"/> alone, for predictions: every column is a feature except
    /// <paramref name="skipColumn"/> (a label column the file may still hold), each cell a finite number.
    /// </summary>
    /// <returns>The features [n, f] and their column names.</returns>
    public static (Tensor Features, IReadOnlyList<string> Names) LoadFeatures(string path, string? skipColumn = null, CsvOptions? options = null,
        MemoryBudget? budget = null)
    {
        options ??= CsvOptions.Default;
        var data = Read(path, options, budget, names =>
        {
            if (skipColumn is null) return -1;
            int index = options.HasHeader ? Array.IndexOf(names, skipColumn) : -1;
            return index >= 0 ? index : throw new ArgumentException(
                $"'{path}' has no column '{skipColumn}'; its columns are {string.Join(", ", names.Select(n => $"'{n}'"))}.", nameof(skipColumn));
        });
        return (data.Dataset.Images, data.FeatureNames);
    }

    private static CsvData Read(string path, CsvOptions options, MemoryBudget? budget, Func<string[], int> labelIndexIn)
    {
        ArgumentNullException.ThrowIfNull(path);
        budget ??= MemoryBudget.Default;
        var file = new FileInfo(path);
        if (!file.Exists) throw new FileNotFoundException($"The CSV file '{path}' does not exist.", path);

        // The header is read here rather than by Sep, so that its line, blank names and duplicates are ours to report.
        var sepOptions = new SepReaderOptions(options.Separator is char c ? new Sep(c) : null)
        {
            HasHeader = false,
            DisableColCountCheck = true,
            Unescape = true,
            Trim = SepTrim.All,
            CultureInfo = CultureInfo.InvariantCulture,
        };
        using var reader = sepOptions.FromFile(path);
        var buffer = new CsvRowBuffer(path, file.Length, budget);
        string[]? names = null;
        int columns = 0, label = -1, firstLine = 0, rows = 0;
        foreach (var row in reader)
        {
            if (row.Span.IsWhiteSpace()) continue;
            // Sep 0.17.1 numbers the first row's line 2 when it reads no header itself; the first row is always line 1.
            int line = row.RowIndex == 0 ? 1 : row.LineNumberFrom;
            if (names is null)
            {
                (columns, firstLine) = (row.ColCount, line);
                names = options.HasHeader ? HeaderNames(row, path, line) : DefaultNames(columns);
                label = labelIndexIn(names);
                if (columns < (label >= 0 ? 2 : 1))
                {
                    throw new InvalidDataException($"'{path}' line {line} has {columns} column when split at '{reader.Spec.Sep.Separator}'; " +
                        "a dataset needs a label column and at least one feature column (give CsvOptions.Separator if the file uses another).");
                }
                if (options.HasHeader) continue;
            }
            if (row.ColCount != columns)
            {
                throw new InvalidDataException($"'{path}' line {line} has {row.ColCount} columns, but " +
                    $"{(options.HasHeader ? "the header" : "the first row")} (line {firstLine}) has {columns}.");
            }
            for (int col = 0; col < columns; col++)
            {
                if (col != label) buffer.Add(ParseFeature(row[col].Span, path, line, col, options.HasHeader ? names[col] : null));
            }
            rows++;
            if (label < 0) continue; // features only
            var labelCell = row[label].Span;
            if (labelCell.IsEmpty)
                throw new InvalidDataException($"{CsvPosition.At(path, line, label, options.HasHeader ? names[label] : null)}: the label is missing.");
            buffer.AddLabel(labelCell, line);
        }
        if (names is null) throw new InvalidDataException($"'{path}' is empty; it holds no header and no rows.");
        if (rows == 0) throw new InvalidDataException($"'{path}' holds a header but no rows.");

        if (label < 0) return FeaturesOnly(buffer, rows, names, path, budget);
        string? labelName = options.HasHeader ? names[label] : null;
        var encoding = LabelEncoder.Encode(buffer.Labels, buffer.FirstLines, options.Labels, line => CsvPosition.At(path, line, label, labelName));
        return Assemble(buffer, rows, names, label, encoding, path, budget);
    }

    /// <summary>Copies the buffered rows into the features tensor [n, f] and the labels tensor ([n] or [n, 1]).</summary>
    private static CsvData Assemble(CsvRowBuffer buffer, int rows, string[] names, int label, LabelEncoder.Encoding encoding,
        string path, MemoryBudget budget)
    {
        int features = names.Length - 1;
        budget.Require(buffer.Bytes + ((long)rows * features + rows) * sizeof(float),
            $"The tensors of '{path}' ({rows} rows of {features} features, beside the values read)");
        var x = new float[rows * features];
        var y = new float[rows];
        ReadOnlySpan<float> values = buffer.Values;
        for (int r = 0; r < rows; r++)
        {
            var cells = values.Slice(r * (features + 1), features + 1);
            cells[..features].CopyTo(x.AsSpan(r * features, features));
            y[r] = encoding.ValueOf[CsvRowBuffer.LabelId(cells[features])];
        }

        Shape labelShape = encoding.Kind == LabelKind.Numbers ? new Shape(rows, 1) : new Shape(rows);
        var dataset = new Dataset(new Tensor(new Shape(rows, features), x), new Tensor(labelShape, y)) { ClassNames = encoding.ClassNames };
        string[] featureNames = [.. names[..label], .. names[(label + 1)..]];
        return new CsvData(dataset, featureNames, names[label], encoding.Kind);
    }

    /// <summary>The buffered rows as features [n, f], with no label (the labels of the result are zeros).</summary>
    private static CsvData FeaturesOnly(CsvRowBuffer buffer, int rows, string[] names, string path, MemoryBudget budget)
    {
        budget.Require(buffer.Bytes + (long)rows * names.Length * sizeof(float), $"The tensor of '{path}' ({rows} rows of {names.Length} features)");
        var x = new Tensor(new Shape(rows, names.Length), buffer.Values.ToArray());
        return new CsvData(new Dataset(x, new Tensor(new Shape(rows))), names, "", LabelKind.Numbers);
    }

    private static float ParseFeature(ReadOnlySpan<char> cell, string path, int line, int column, string? name)
    {
        if (cell.IsEmpty)
            throw new InvalidDataException($"{CsvPosition.At(path, line, column, name)}: the value is missing; every feature needs a number.");
        if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
        {
            throw new InvalidDataException($"{CsvPosition.At(path, line, column, name)}: {CsvPosition.Quote(cell)} is not a number " +
                "(features are numbers in invariant culture, such as -1.5 or 2e-3).");
        }
        if (!float.IsFinite(value))
            throw new InvalidDataException($"{CsvPosition.At(path, line, column, name)}: {CsvPosition.Quote(cell)} is not a finite number.");
        return value;
    }

    /// <summary>The header's names; a blank one is named "Unnamed: i" as pandas names it, and two columns may not share a name.</summary>
    private static string[] HeaderNames(SepReader.Row header, string path, int line)
    {
        var names = new string[header.ColCount];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int col = 0; col < names.Length; col++)
        {
            var cell = header[col].Span;
            names[col] = cell.IsEmpty ? $"Unnamed: {col}" : cell.ToString();
            if (!seen.TryAdd(names[col], col))
                throw new InvalidDataException($"'{path}' line {line}: columns {seen[names[col]] + 1} and {col + 1} are both named '{names[col]}'; column names must differ.");
        }
        return names;
    }

    /// <summary>"0", "1", …: the 0-based index, as pandas names the columns of a file read without a header.</summary>
    private static string[] DefaultNames(int columns) =>
        Enumerable.Range(0, columns).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
}
