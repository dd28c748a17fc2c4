namespace Strata.Tests.Kernels;

/// <summary>Tests that change a pool's thread count run alone, so no other test sees the change.</summary>
[CollectionDefinition(nameof(WorkerPoolSettings), DisableParallelization = true)]
public sealed class WorkerPoolSettings;
