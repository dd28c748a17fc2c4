namespace Strata.Experiments;

/// <summary>
/// Reported by an experiment's <c>Run</c> each time one of its runs finishes: the run, and how many of how many
/// are done. It is reported on the training thread; <see cref="Progress{T}"/> hands it on to its synchronization
/// context (or the thread pool), a plain <see cref="IProgress{T}"/> runs at once.
/// </summary>
public sealed record ExperimentProgress<TRun>(TRun Run, int Done, int Total);
