namespace Strata;

/// <summary>
/// A setting that holds for the calling thread while a scope is open, scopes nesting: creating one makes it
/// <see cref="Current"/>, disposing it restores the scope it replaced. Layers read such settings while they build
/// (<see cref="WeightSharing"/>, <see cref="Serialization.WeightBudget"/>) without every Build taking them as arguments.
/// </summary>
internal abstract class ThreadScope<TSelf> : IDisposable where TSelf : ThreadScope<TSelf>
{
    [ThreadStatic] private static TSelf? t_current;
    private readonly TSelf? _outer;

    protected ThreadScope()
    {
        _outer = t_current;
        t_current = (TSelf)this;
    }

    /// <summary>The innermost open scope on this thread, or null.</summary>
    protected static TSelf? Current => t_current;

    public void Dispose() => t_current = _outer;
}
