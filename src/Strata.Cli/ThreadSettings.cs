namespace Strata.Cli;

/// <summary>The single place where the <c>--threads</c> option reaches the library.</summary>
internal static class ThreadSettings
{
    /// <summary>
    /// Sets how many threads the kernels may use. Not wired yet: the worker pool
    /// (<c>Strata.Kernels.WorkerPool.ThreadCount</c>) lives on another branch, and this body is where it goes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    public static void Apply(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        // To wire when WorkerPool is merged: Strata.Kernels.WorkerPool.ThreadCount = threads;
    }
}
