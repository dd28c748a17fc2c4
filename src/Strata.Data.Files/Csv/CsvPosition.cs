namespace Strata.Data.Files;

/// <summary>
/// Where a cell of a CSV file is, as messages name it: the file, the 1-based line (counting the header, as an editor
/// counts) and the 1-based column with its name, so a user can go straight to the bad cell.
/// </summary>
internal static class CsvPosition
{
    /// <summary>The longest cell text a message quotes; a longer one is cut, so a hostile cell cannot flood a log.</summary>
    private const int MaxQuoted = 40;

    /// <summary>"'iris.csv' line 5, column 3 ('petal_length')"; without a header, just "column 3".</summary>
    public static string At(string path, int line, int column, string? name) =>
        name is null ? $"'{path}' line {line}, column {column + 1}" : $"'{path}' line {line}, column {column + 1} ('{name}')";

    /// <summary>The cell's text in quotes, cut to <see cref="MaxQuoted"/> characters.</summary>
    public static string Quote(ReadOnlySpan<char> cell) =>
        cell.Length <= MaxQuoted ? $"'{cell}'" : $"'{cell[..MaxQuoted]}…' ({cell.Length} characters)";
}
