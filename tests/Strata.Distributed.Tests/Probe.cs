using System.Globalization;

namespace Strata.Distributed.Tests;

/// <summary>
/// The program the MPI tests start on every rank (<c>mpirun … dotnet Strata.Distributed.Tests.dll probe SCENARIO</c>):
/// each scenario prints one line per fact as <c>rank R: …</c>, which the tests read.
/// </summary>
public static class Probe
{
    public static int Main(string[] args)
    {
        if (args.Length < 2 || args[0] != "probe")
        {
            Console.Error.WriteLine("usage: Strata.Distributed.Tests probe SCENARIO [timeout-seconds]");
            return 2;
        }
        TimeSpan? timeout = args.Length > 2 ? TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture)) : null;
        using var comm = MpiCommunicator.Open(timeout);
        var output = Console.Out;
        switch (args[1])
        {
            case "collectives":
                Collectives(comm, output);
                break;
            case "exit-early":
                if (comm.Rank == 1) Environment.Exit(0); // without MPI_Finalize, before the others' allreduce
                comm.AllReduce(new float[3]);
                break;
            case "stall":
                if (comm.Rank == 1) Thread.Sleep(TimeSpan.FromSeconds(60));
                comm.AllReduce(new float[3]);
                break;
            default:
                Console.Error.WriteLine($"unknown scenario {args[1]}");
                return 2;
        }
        output.Flush();
        return 0;
    }

    private static void Collectives(Communicator comm, TextWriter output)
    {
        int r = comm.Rank;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rank {r}: size {comm.Size}"));
        float[] f = [r + 1, 0.5f];
        comm.AllReduce(f);
        double[] d = [r * 0.25, 1];
        comm.AllReduce(d);
        float[] b = [r + 7];
        comm.Broadcast(b, root: comm.Size - 1);
        double[] bd = [r + 3];
        comm.Broadcast(bd);
        var gathered = new double[comm.Size];
        comm.AllGather([r * 10], gathered);
        comm.Barrier();
        // .NET's own signals (a null reference becomes an exception) must still work with MPI running.
        string? nothing = args0();
        string nullReference;
        try
        {
            nullReference = nothing!.Length.ToString(CultureInfo.InvariantCulture);
        }
        catch (NullReferenceException)
        {
            nullReference = "caught";
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rank {r}: allreduce {f[0]} {f[1]} {d[0]} {d[1]} broadcast {b[0]} {bd[0]} allgather {string.Join(' ', gathered)} nullref {nullReference}"));

        static string? args0() => Environment.GetEnvironmentVariable("STRATA_PROBE_UNSET_VARIABLE");
    }
}
