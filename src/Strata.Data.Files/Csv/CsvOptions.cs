namespace Strata.Data.Files;

/// <summary>
/// How <see cref="CsvDataset"/> reads a file. The defaults read what pandas' <c>read_csv</c> reads by default: a
/// header row, a comma (or another common separator, detected), numbers in invariant culture.
/// </summary>
public sealed record CsvOptions
{
    /// <summary>The options used when none are given.</summary>
    public static CsvOptions Default { get; } = new();

    /// <summary>
    /// Whether the first row names the columns (default true, as pandas). Without a header the columns are named by
    /// their 0-based index ("0", "1", … as pandas' <c>header=None</c>) and the label column is given by index.
    /// </summary>
    public bool HasHeader { get; init; } = true;

    /// <summary>
    /// The separator; null (default) lets Sep detect it from the first row, which must then hold one of <c>,</c>,
    /// <c>;</c>, tab or <c>|</c> (and only one of them, or the one Sep prefers is taken); give it otherwise.
    /// </summary>
    public char? Separator { get; init; }

    /// <summary>How to read the label column (default <see cref="LabelKind.Auto"/>).</summary>
    public LabelKind Labels { get; init; } = LabelKind.Auto;
}
