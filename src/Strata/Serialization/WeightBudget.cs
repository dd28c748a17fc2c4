namespace Strata.Serialization;

/// <summary>
/// Caps the values that layers may allocate for weights while a model is made from a description: a model file's own
/// tensors bound a load, so a configuration that declares a huge layer is refused before its kernel is allocated, not
/// after; the memory budget bounds a model made from a configuration alone. Scoped to the calling thread; outside a
/// scope <see cref="Spend"/> does nothing.
/// </summary>
internal sealed class WeightBudget : ThreadScope<WeightBudget>
{
    private readonly string _source;
    private readonly bool _fromFile;
    private long _remaining;

    private WeightBudget(long values, string source, bool fromFile)
    {
        _remaining = values;
        _source = source;
        _fromFile = fromFile;
    }

    /// <summary>
    /// Until disposed, weights created on this thread may hold at most <paramref name="values"/> values in all: the
    /// values a model file stores, whose tensors will overwrite them.
    /// </summary>
    public static WeightBudget Limit(long values, string source) => new(values, source, fromFile: true);

    /// <summary>As <see cref="Limit"/> for a model made from its configuration alone, whose weights are initialized as usual.</summary>
    public static WeightBudget LimitNew(long values, string source) => new(values, source, fromFile: false);

    /// <summary>True inside a load: the weights' values come from the file, so initializers need not run.</summary>
    public static bool Active => Current is { _fromFile: true };

    /// <summary>Called before a weight of <paramref name="size"/> values is allocated.</summary>
    public static void Spend(string weight, long size)
    {
        if (Current is not { } budget) return;
        if (size > budget._remaining)
        {
            throw new InvalidDataException(budget._fromFile
                ? $"{budget._source}: weight '{weight}' would hold {size} values, but the file stores only {budget._remaining} more; the configuration does not match the weights."
                : $"{budget._source}: weight '{weight}' would hold {size} values, more than the {budget._remaining} left in the memory budget for weights (a quarter of it: each weight also needs its gradient and optimizer state).");
        }
        budget._remaining -= size;
    }
}
