using System.Globalization;

namespace Strata.Data;

/// <summary>
/// The most memory a reader may allocate for what it reads. Every reader checks the size a header declares
/// against the budget before it allocates, so a small file that claims (or inflates to) gigabytes is refused with
/// a message instead of exhausting memory. The default, 4 GiB, leaves room for a model and its training on a
/// machine of 24 GB.
/// </summary>
public sealed class MemoryBudget
{
    /// <summary>4 GiB.</summary>
    public const long DefaultBytes = 4L << 30;

    /// <summary>The budget readers use unless given another.</summary>
    public static MemoryBudget Default { get; } = new(DefaultBytes);

    /// <summary>A budget of <paramref name="bytes"/> bytes (at least one).</summary>
    public MemoryBudget(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1);
        Bytes = bytes;
    }

    /// <summary>The budget in bytes.</summary>
    public long Bytes { get; }

    /// <summary>Throws <see cref="MemoryBudgetExceededException"/> when <paramref name="bytes"/> exceed the budget.</summary>
    /// <param name="bytes">What the caller is about to allocate.</param>
    /// <param name="what">Names the allocation in the message, e.g. "'train.idx' (60000×28×28 values)".</param>
    public void Require(long bytes, string what)
    {
        if (bytes > Bytes)
            throw new MemoryBudgetExceededException(bytes, Bytes, what);
    }

    /// <summary>Bytes written as KB, MB or GB (powers of 1024), as messages show them.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["bytes", "KB", "MB", "GB", "TB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1) { value /= 1024; unit++; }
        return unit == 0 ? $"{bytes} bytes" : value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    public override string ToString() => Format(Bytes);
}

/// <summary>A reader would have to allocate more than its <see cref="MemoryBudget"/> allows.</summary>
public sealed class MemoryBudgetExceededException(long needed, long budget, string what)
    : Exception($"{what} would need {MemoryBudget.Format(needed)}, more than the memory budget of {MemoryBudget.Format(budget)}.")
{
    /// <summary>The bytes the allocation would have taken.</summary>
    public long Needed { get; } = needed;

    /// <summary>The budget it exceeded.</summary>
    public long Budget { get; } = budget;
}
