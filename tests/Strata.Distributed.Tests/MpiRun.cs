using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Strata.Distributed.Tests;

/// <summary>
/// Runs a program on several ranks with Open MPI's mpirun, as the tests need it here: oversubscribed (more ranks than
/// cores), allowed as root, and over TCP on the loopback interface (<c>--mca btl self,tcp --mca btl_tcp_if_include lo</c>),
/// so that the bytes go through a real network stack rather than shared memory.
/// </summary>
internal static partial class MpiRun
{
    /// <summary>mpirun's path, or null when Open MPI is not installed.</summary>
    public static string? Path { get; } = Find();

    /// <summary>The arguments before the program: everything the command line in docs/distributed.md gives.</summary>
    public static string[] Options(int ranks) =>
        ["--oversubscribe", "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "--mca", "btl", "self,tcp", "--mca", "btl_tcp_if_include", "lo"];

    /// <summary>Runs <c>mpirun OPTIONS dotnet ASSEMBLY ARGS</c>; returns the exit code and the merged output (terminal escapes removed).</summary>
    public static (int ExitCode, string Output) Dotnet(int ranks, string assembly, IEnumerable<string> args, TimeSpan limit)
    {
        var start = new ProcessStartInfo(Path ?? throw new InvalidOperationException("mpirun is not installed")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string option in Options(ranks)) start.ArgumentList.Add(option);
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(assembly);
        foreach (string arg in args) start.ArgumentList.Add(arg);
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mpirun -np {ranks} {string.Join(' ', args)} did not finish within {limit}; output so far: {stdout.Result}{stderr.Result}");
        }
        process.WaitForExit();
        return (process.ExitCode, Escapes().Replace(stdout.Result + stderr.Result, ""));
    }

    /// <summary>Runs a <see cref="Probe"/> scenario.</summary>
    public static (int ExitCode, string Output) Probe(int ranks, string scenario, params string[] args) =>
        Dotnet(ranks, typeof(Probe).Assembly.Location, ["probe", scenario, .. args], TimeSpan.FromMinutes(3));

    /// <summary>The lines <c>rank R: …</c> of rank <paramref name="rank"/>, without the prefix.</summary>
    public static string[] Lines(string output, int rank) =>
        [.. output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith($"rank {rank}: ", StringComparison.Ordinal)).Select(l => l[$"rank {rank}: ".Length..])];

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator)
            .Select(d => System.IO.Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists);

    [GeneratedRegex(@"\x1b(\[\?1h|=|>|\[\?1l)")]
    private static partial Regex Escapes();
}
