namespace Strata.Kernels.Parallel;

/// <summary>
/// Which rows of a large weight each thread owns. In a training step a weight is read by the forward pass,
/// its gradient written by the backward pass, and both read and the weight rewritten by the update; when the
/// same core handles the same rows in all three, those rows never leave its cache. Weights below
/// <see cref="MinValues"/> stay with the calling thread: moving them costs more than a second core saves.
/// </summary>
internal static class RowPartition
{
    /// <summary>
    /// Weights with at least this many values are split by rows across the threads: those larger than half of one
    /// core's L2. A smaller weight stays in the L2 of the core that runs the step, and fetching part of it into a second
    /// core each step would cost more than that core's share of the arithmetic saves.
    /// </summary>
    public static readonly int MinValues = (int)Math.Min(int.MaxValue, CacheSizes.Machine.L2 / 2 / sizeof(float));

    /// <summary>
    /// How many parts a weight of <paramref name="size"/> values and <paramref name="rows"/> rows is split into: one per
    /// processor of the machine, whatever the thread count of the run. The parts' products are summed in part order,
    /// so the split must not follow the thread count or a result would change in its last bits with it; part p runs
    /// on thread p mod threads (<see cref="WorkerPool.RunParts{TBody}"/>), so every thread still has its own rows.
    /// </summary>
    public static int Parts(int size, int rows) =>
        size >= MinValues ? Math.Max(1, Math.Min(Environment.ProcessorCount, rows)) : 1;

    /// <summary>Rows [start, start + count) of part <paramref name="part"/> of <paramref name="parts"/>.</summary>
    public static (int Start, int Count) Rows(int rows, int parts, int part)
    {
        int start = (int)((long)part * rows / parts);
        int end = (int)((long)(part + 1) * rows / parts);
        return (start, end - start);
    }
}
