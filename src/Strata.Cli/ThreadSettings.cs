namespace Strata.Cli;

/// <summary>The single place where the <c>--threads</c> option reaches the library.</summary>
internal static class ThreadSettings
{
    /// <summary>Sets how many threads the kernels may use: the size of the default compute context, which every model here uses.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    public static void Apply(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Strata.ComputeContext.Default.Threads = threads;
    }
}
