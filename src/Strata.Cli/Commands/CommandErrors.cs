using Strata.Data;

namespace Strata.Cli.Commands;

/// <summary>How every command reports a problem with its inputs.</summary>
internal static class CommandErrors
{
    /// <summary>
    /// Runs <paramref name="action"/>. Missing or malformed data, an unwritable folder, a damaged model file, settings
    /// the data cannot satisfy, an input beyond the memory budget or too large for the memory become one error line
    /// and exit code 1: the message says what to do; a trace would not.
    /// </summary>
    public static int Guarded(Terminal terminal, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException
            or NotSupportedException or MemoryBudgetExceededException or OutOfMemoryException or Distributed.CommunicatorTimeoutException)
        {
            terminal.WriteError(Describe(e));
            return 1;
        }
    }

    /// <summary>
    /// The message in the command line's words: without .NET's " (Parameter 'name')" tail, which names a C# argument the
    /// user never wrote, with the option that raises a memory budget, and with a plain sentence for running out of memory.
    /// </summary>
    public static string Describe(Exception e) => e switch
    {
        MemoryBudgetExceededException => e.Message.TrimEnd('.') + "; raise it with --max-memory.",
        OutOfMemoryException => "out of memory: the data or the model needs more memory than this process can have; use smaller inputs or settings, or a lower --max-memory to be refused before allocating.",
        ArgumentException { ParamName: { } name } a => a.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal),
        _ => e.Message,
    };
}
