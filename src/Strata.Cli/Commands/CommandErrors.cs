namespace Strata.Cli.Commands;

/// <summary>How every command reports a problem with its inputs.</summary>
internal static class CommandErrors
{
    /// <summary>
    /// Runs <paramref name="action"/>. Missing or malformed data, an unwritable folder, a damaged model file or settings
    /// the data cannot satisfy become one error line and exit code 1: the message says what to do; a trace would not.
    /// </summary>
    public static int Guarded(Terminal terminal, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            terminal.WriteError(e.Message);
            return 1;
        }
    }
}
