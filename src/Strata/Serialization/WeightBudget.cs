namespace Strata.Serialization;

/// <summary>
/// Caps the values that layers may allocate for weights while a model file is being loaded: the file's own tensors
/// bound it, so a configuration that declares a huge layer is refused before its kernel is allocated, not after.
/// Scoped to the loading thread; outside a scope <see cref="Spend"/> does nothing.
/// </summary>
internal sealed class WeightBudget : IDisposable
{
    [ThreadStatic] private static WeightBudget? t_current;
    private readonly WeightBudget? _outer;
    private readonly string _source;
    private long _remaining;

    private WeightBudget(long values, string source)
    {
        _outer = t_current;
        _remaining = values;
        _source = source;
        t_current = this;
    }

    /// <summary>Until disposed, weights created on this thread may hold at most <paramref name="values"/> values in all.</summary>
    public static WeightBudget Limit(long values, string source) => new(values, source);

    /// <summary>True inside a load: the weights' values come from the file, so initializers need not run.</summary>
    public static bool Active => t_current is not null;

    /// <summary>Called before a weight of <paramref name="size"/> values is allocated.</summary>
    public static void Spend(string weight, long size)
    {
        if (t_current is not { } budget) return;
        if (size > budget._remaining)
            throw new InvalidDataException($"{budget._source}: weight '{weight}' would hold {size} values, but the file stores only {budget._remaining} more; the configuration does not match the weights.");
        budget._remaining -= size;
    }

    public void Dispose() => t_current = _outer;
}
