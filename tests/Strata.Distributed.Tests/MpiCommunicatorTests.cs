using System.Diagnostics;

namespace Strata.Distributed.Tests;

public class MpiCommunicatorTests
{
    [MpiFact]
    public void CollectivesOnTwoRanksOverTcp()
    {
        var (code, output) = MpiRun.Probe(2, "collectives");
        Assert.True(code == 0, output);
        for (int r = 0; r < 2; r++)
        {
            Assert.Equal(["size 2", "allreduce 3 1 0.25 2 broadcast 8 3 allgather 0 10 nullref caught"], MpiRun.Lines(output, r));
        }
    }

    [MpiFact]
    public void CollectivesOnThreeRanksOversubscribed()
    {
        var (code, output) = MpiRun.Probe(3, "collectives");
        Assert.True(code == 0, output);
        for (int r = 0; r < 3; r++)
        {
            // Σ(r + 1) = 6, Σ 0.5 = 1.5, Σ r/4 = 0.75, 3 ranks; the last rank's 9 broadcast, rank 0's 3.
            Assert.Equal(["size 3", "allreduce 6 1.5 0.75 3 broadcast 9 3 allgather 0 10 20 nullref caught"], MpiRun.Lines(output, r));
        }
    }

    [MpiFact]
    public void ARankThatExitsEarlyEndsTheJobNamingIt()
    {
        var clock = Stopwatch.StartNew();
        var (code, output) = MpiRun.Probe(2, "exit-early", "30");
        Assert.NotEqual(0, code);
        Assert.Contains("process rank 1", output);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
    }

    [MpiFact]
    public void ARankThatStallsFailsTheOthersAtTheTimeout()
    {
        var clock = Stopwatch.StartNew();
        var (code, output) = MpiRun.Probe(2, "stall", "2");
        Assert.NotEqual(0, code);
        Assert.Contains("MPI rank 0 of 2: AllReduce of 3 floats (collective call 1) did not complete within 2 s", output);
        Assert.Contains("another rank (rank 1)", output);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(50), $"took {clock.Elapsed}");
    }

    [Fact]
    public void MissingOpenMpiIsAClearError()
    {
        var error = WithLibrary("/nonexistent/libmpi.so.40", () => Assert.Throws<MpiUnavailableException>(() => MpiCommunicator.Open()));
        Assert.Contains("Open MPI's library /nonexistent/libmpi.so.40 was not found", error.Message);
        Assert.Contains("apt-get install openmpi-bin", error.Message);
    }

    [Fact]
    public void ALibraryThatIsNotOpenMpiIsRefused()
    {
        var error = WithLibrary("libc.so.6", () => Assert.Throws<MpiUnavailableException>(() => MpiCommunicator.Open()));
        Assert.Contains("libc.so.6 is not Open MPI's library", error.Message);
    }

    private static readonly Lock s_environment = new();

    private static T WithLibrary<T>(string path, Func<T> body)
    {
        lock (s_environment)
        {
            Environment.SetEnvironmentVariable(OpenMpiLibrary.PathVariable, path);
            try
            {
                return body();
            }
            finally
            {
                Environment.SetEnvironmentVariable(OpenMpiLibrary.PathVariable, null);
            }
        }
    }
}
