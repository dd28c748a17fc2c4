using System.CommandLine;
using System.CommandLine.Invocation;
using Strata.Cli.Commands;

namespace Strata.Cli;

/// <summary>The <c>strata</c> command: builds the command tree and runs it.</summary>
internal static class Program
{
    private static int Main(string[] args) => Run(args, Terminal.FromConsole());

    /// <summary>Runs the command with captured output, without a live display or colours (for tests).</summary>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, Terminal.Plain(stdout, stderr));

    internal static int Run(string[] args, Terminal terminal)
    {
        var root = new RootCommand("Strata: train deep neural networks in pure C#, with a Keras-like API.")
        {
            HelpName = "strata",
        };
        root.Subcommands.Add(new TrainCommand(terminal));
        root.Subcommands.Add(new EvaluateCommand(terminal));
        root.Subcommands.Add(new PredictCommand(terminal));
        root.Subcommands.Add(new SummaryCommand(terminal));
        root.Subcommands.Add(new FoldCommand(terminal));
        root.Subcommands.Add(new RecalibrateCommand(terminal));
        root.Subcommands.Add(new DiagnoseCommand(terminal));
        root.Subcommands.Add(new ExportCommand(terminal));
        root.Subcommands.Add(new ExperimentCommand(terminal));
        // A bare `strata` shows the help rather than an error.
        ParseResult parsed = root.Parse(args.Length == 0 ? ["--help"] : args);
        if (parsed.Action is ParseErrorAction)
        {
            // One line per problem and a pointer to the help, instead of the whole help text after the errors.
            foreach (var error in parsed.Errors) terminal.WriteError(error.Message);
            terminal.Error.WriteLine($"Run '{HelpCommandLine(parsed)}' to see the options.");
            return 1;
        }
        return parsed.Invoke(new InvocationConfiguration { Output = terminal.Out, Error = terminal.Error });
    }

    private static string HelpCommandLine(ParseResult parsed)
    {
        var names = new List<string>();
        for (var result = parsed.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, result.Command is RootCommand ? "strata" : result.Command.Name);
        return string.Join(' ', names) + " --help";
    }
}
