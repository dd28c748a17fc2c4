namespace Strata.Data;

/// <summary>
/// A reader would have to allocate more than its <see cref="MemoryBudget"/> allows. Not an
/// <see cref="InvalidDataException"/>: the file may be sound, only too large for the budget, which can be raised.
/// </summary>
public sealed class MemoryBudgetExceededException(long needed, long budget, string what)
    : Exception($"{what} would need {MemoryBudget.Format(needed)}, more than the memory budget of {MemoryBudget.Format(budget)}.")
{
    /// <summary>The bytes the allocation would have taken.</summary>
    public long Needed { get; } = needed;

    /// <summary>The budget it exceeded.</summary>
    public long Budget { get; } = budget;
}
