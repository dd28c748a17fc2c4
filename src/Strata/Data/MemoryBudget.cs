using System.Globalization;

namespace Strata.Data;

/// <summary>
/// The most memory a reader may allocate for what it reads. Every reader checks the size a header declares
/// against the budget before it allocates, so a small file that claims (or inflates to) gigabytes is refused with
/// a message instead of exhausting memory. The default, 4 GiB, leaves room for a model and its training on a
/// machine of 24 GB; where the process may use less (a container's limit, <c>DOTNET_GCHeapHardLimit</c>) it is half of
/// that, so that what was read still leaves room to work with it.
/// </summary>
public sealed class MemoryBudget
{
    /// <summary>4 GiB.</summary>
    public const long DefaultBytes = 4L << 30;

    /// <summary>
    /// The budget readers use unless given another: <see cref="DefaultBytes"/>, or half of the memory the garbage
    /// collector may use when that is less.
    /// </summary>
    public static MemoryBudget Default { get; } = new(DefaultFor(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes));

    /// <summary>A budget of <paramref name="bytes"/> bytes (at least one).</summary>
    public MemoryBudget(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1);
        Bytes = bytes;
    }

    /// <summary>The budget in bytes.</summary>
    public long Bytes { get; }

    /// <summary>
    /// The default for a process that may use <paramref name="availableBytes"/> (0 or less when unknown):
    /// <see cref="DefaultBytes"/>, or half of the available memory when that is less.
    /// </summary>
    public static long DefaultFor(long availableBytes) =>
        availableBytes <= 0 ? DefaultBytes : Math.Clamp(availableBytes / 2, 1, DefaultBytes);

    /// <summary>Throws <see cref="MemoryBudgetExceededException"/> when <paramref name="bytes"/> exceed the budget.</summary>
    /// <param name="bytes">What the caller is about to allocate.</param>
    /// <param name="what">Names the allocation in the message, e.g. "'train.idx' (60000×28×28 values)".</param>
    public void Require(long bytes, string what)
    {
        if (bytes > Bytes)
            throw new MemoryBudgetExceededException(bytes, Bytes, what);
    }

    /// <summary>
    /// Reads a size such as <c>4GB</c>, <c>512MB</c>, <c>1.5G</c>, <c>64KiB</c> or a plain number of bytes
    /// (units are powers of 1024, case-insensitive; K, M, G and T with an optional B or iB). False for zero, a negative
    /// or fractional byte count, an unknown unit, or more than <see cref="long.MaxValue"/> bytes.
    /// </summary>
    public static bool TryParse(string? text, out MemoryBudget? budget)
    {
        budget = null;
        if (string.IsNullOrWhiteSpace(text)) return false;
        string s = text.Trim();
        int split = 0;
        while (split < s.Length && (char.IsAsciiDigit(s[split]) || s[split] == '.')) split++;
        string unit = s[split..].Trim().ToUpperInvariant();
        int power = unit switch
        {
            "" or "B" => 0,
            "K" or "KB" or "KIB" => 1,
            "M" or "MB" or "MIB" => 2,
            "G" or "GB" or "GIB" => 3,
            "T" or "TB" or "TIB" => 4,
            _ => -1,
        };
        if (power < 0 || !decimal.TryParse(s[..split], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number))
            return false;
        decimal bytes = number;
        for (int i = 0; i < power; i++) bytes *= 1024;
        if (bytes < 1 || bytes > long.MaxValue || (power == 0 && bytes != decimal.Truncate(bytes))) return false;
        budget = new MemoryBudget((long)decimal.Truncate(bytes));
        return true;
    }

    /// <summary>Bytes written as KB, MB or GB (powers of 1024), as messages show them.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1) { value /= 1024; unit++; }
        return unit == 0 ? $"{bytes} bytes" : value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    public override string ToString() => Format(Bytes);
}
