namespace Strata.Distributed.Tests;

/// <summary>The training scenarios of <see cref="Probe"/>.</summary>
internal static class ProbeTraining
{
    public static bool Run(string scenario, Communicator comm, TextWriter output)
    {
        _ = comm;
        _ = output;
        return scenario switch
        {
            _ => false,
        };
    }
}
