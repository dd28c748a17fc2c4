namespace Strata.Distributed.Tests;

/// <summary>
/// A test that runs processes under mpirun. Without Open MPI it is skipped on a developer's machine, but under CI
/// (CI=true, or STRATA_REQUIRE_MPI=1 as .ci/run sets after installing openmpi-bin) it runs and fails: a CI that lost
/// Open MPI must not pass by skipping.
/// </summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        bool ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            || Environment.GetEnvironmentVariable("STRATA_REQUIRE_MPI") == "1";
        if (MpiRun.Path is null && !ci) Skip = "mpirun is not installed (apt-get install openmpi-bin); under CI=true this test fails instead.";
    }
}
