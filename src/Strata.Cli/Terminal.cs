namespace Strata.Cli;

/// <summary>
/// Where the command writes: standard output and error as writers (so tests can capture them), whether a
/// live progress display may draw on the output, and whether errors may be coloured.
/// </summary>
internal sealed class Terminal(TextWriter output, TextWriter error, bool interactive, bool colorErrors)
{
    /// <summary>Results, the model summary and plain progress lines.</summary>
    public TextWriter Out { get; } = output;

    /// <summary>Error messages.</summary>
    public TextWriter Error { get; } = error;

    /// <summary>True when the output is a terminal that can redraw a progress bar in place.</summary>
    public bool Interactive { get; } = interactive;

    /// <summary>
    /// The process's console. The progress bar is redrawn in place only when standard output is a terminal that can
    /// (not TERM=dumb) and no MPI launcher stands between: a launcher forwards each rank's output in chunks (mpirun
    /// gives each rank a terminal of its own and tags every chunk under --tag-output or --timestamp-output), so a
    /// redraw would come out in fragments. Redirected output and MPI ranks get one plain line per epoch instead.
    /// Errors are red unless standard error is redirected or NO_COLOR is set (https://no-color.org).
    /// </summary>
    public static Terminal FromConsole()
    {
        bool interactive = !Console.IsOutputRedirected && !Distributed.MpiCommunicator.IsLaunchedByMpi && Environment.GetEnvironmentVariable("TERM") != "dumb";
        bool color = !Console.IsErrorRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        return new Terminal(Console.Out, Console.Error, interactive, color);
    }

    /// <summary>Captured writers, no live display and no colour: for tests and embedding.</summary>
    public static Terminal Plain(TextWriter output, TextWriter error) => new(output, error, interactive: false, colorErrors: false);

    /// <summary>Writes one error line, red when the error stream is a terminal.</summary>
    public void WriteError(string message)
    {
        const string Red = "\u001b[31m", Reset = "\u001b[0m";
        string line = "error: " + message;
        Error.WriteLine(colorErrors ? Red + line + Reset : line);
    }
}
