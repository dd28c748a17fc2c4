using System.CommandLine;

namespace Strata.Cli.Commands;

/// <summary>
/// A command that works on a saved model file (<c>strata summary|evaluate|predict|fold|export MODEL</c>): it takes the
/// path as its argument, applies <c>--threads</c>, and turns a missing, damaged or unsuitable file into one clear
/// error line instead of a stack trace.
/// </summary>
internal abstract class ModelCommand : Command
{
    private readonly Option<int?> _threads = CommonOptions.Threads();

    protected ModelCommand(string name, string description, Terminal terminal) : base(name, description)
    {
        Terminal = terminal;
        Arguments.Add(ModelPath);
        Options.Add(_threads);
        SetAction(parsed => CommandErrors.Guarded(terminal, () =>
        {
            if (parsed.GetValue(_threads) is int threads) ThreadSettings.Apply(threads);
            return Execute(parsed, Sequential.Load(parsed.GetValue(ModelPath)!));
        }));
    }

    protected Terminal Terminal { get; }

    protected Argument<string> ModelPath { get; } = new("MODEL")
    {
        Description = "A model file written by 'strata train --output DIR' (DIR/model.safetensors) or Sequential.Save",
    };

    /// <summary>Runs the command on the loaded model; returns the exit code.</summary>
    protected abstract int Execute(ParseResult parsed, Sequential model);
}
