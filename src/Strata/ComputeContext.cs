using Strata.Kernels.Parallel;

namespace Strata;

/// <summary>
/// The threads a model's kernels run on: a persistent pool of <see cref="Threads"/> threads (the calling thread and
/// <c>Threads − 1</c> workers). Every model uses <see cref="Default"/> unless given its own
/// (<c>model.Context = new ComputeContext(threads: 2)</c>); two models with their own contexts train side by side on
/// two threads each, where with one shared pool the second would run its kernels serially.
/// </summary>
/// <remarks>
/// Results never depend on the thread count: kernels split their work by sizes taken from the shapes and the
/// machine, and combine partial results in a fixed order, so a seeded run gives the same weights, bit for bit,
/// on 1, 2 or 16 threads.
/// </remarks>
public sealed class ComputeContext : IDisposable
{
    [ThreadStatic]
    private static ComputeContext? t_current;

    /// <summary>A context with <paramref name="threads"/> threads, the calling thread included.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    public ComputeContext(int threads) => Pool = new WorkerPool(threads) { Owner = this };

    /// <summary>The context models use unless told otherwise: one thread per processor.</summary>
    public static ComputeContext Default { get; } = new(Math.Max(1, Environment.ProcessorCount));

    /// <summary>The context the calling thread runs kernels in: the one a model entered, else <see cref="Default"/>.</summary>
    internal static ComputeContext Current => t_current ?? Default;

    /// <summary>
    /// Threads the kernels use, the calling thread included; 1 runs everything on the calling thread. Setting it
    /// resizes the pool (waiting for a running kernel to finish).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int Threads
    {
        get => Pool.Threads;
        set => Pool.Threads = value;
    }

    internal WorkerPool Pool { get; }

    /// <summary>Ends the worker threads (a context used again restarts them). The default context is never disposed.</summary>
    public void Dispose()
    {
        if (!ReferenceEquals(this, Default)) Pool.Stop();
    }

    /// <summary>A worker thread of this context's pool belongs to it for life: kernels it runs stay in this context.</summary>
    internal void AdoptWorkerThread() => t_current = this;

    /// <summary>Makes this the calling thread's context until the returned scope is disposed.</summary>
    internal Scope Enter()
    {
        var previous = t_current;
        t_current = this;
        return new Scope(previous);
    }

    /// <summary>Restores the context the thread was in before <see cref="Enter"/>.</summary>
    internal readonly struct Scope(ComputeContext? previous) : IDisposable
    {
        public void Dispose() => t_current = previous;
    }
}
