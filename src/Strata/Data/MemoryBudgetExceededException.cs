namespace Strata.Data;

/// <summary>
/// A reader would have to allocate more than its <see cref="MemoryBudget"/> allows. Not an
/// <see cref="InvalidDataException"/>: the file may be sound, only too large for the budget, which can be raised.
/// </summary>
public sealed class MemoryBudgetExceededException(long needed, long budget, string what) : Exception(Describe(needed, budget, what))
{
    /// <summary>The bytes the allocation would have taken.</summary>
    public long Needed { get; } = needed;

    /// <summary>The budget it exceeded.</summary>
    public long Budget { get; } = budget;

    /// <summary>Sizes in KB, MB or GB; in bytes when both round to the same text, which would read as no excess at all.</summary>
    private static string Describe(long needed, long budget, string what)
    {
        string n = MemoryBudget.Format(needed), b = MemoryBudget.Format(budget);
        if (n == b) (n, b) = ($"{needed} bytes", $"{budget} bytes");
        return $"{what} would need {n}, more than the memory budget of {b}.";
    }
}
