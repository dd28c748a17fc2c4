using System.Diagnostics;
using Strata.Cli;

namespace Strata.Tests.Cli;

/// <summary>
/// Runs the built <c>strata</c> as a child process (<c>dotnet Strata.Cli.dll ...</c>), as a user runs it: for what one
/// process cannot show in-process — a signal, a heap limit, names that count on from run to run.
/// </summary>
internal static class CliProcess
{
    /// <summary>Starts <c>strata</c> with <paramref name="args"/>, its output redirected, with extra environment variables.</summary>
    public static Process Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (string arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return Process.Start(start)!;
    }

    /// <summary>Runs <c>strata</c> to the end; returns its exit code and output.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Start(args, environment);
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }
}
