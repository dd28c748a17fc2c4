using System.CommandLine;
using Strata.Data;

namespace Strata.Cli.Commands;

/// <summary>
/// A command that works on a saved model file (<c>strata summary|evaluate|predict|fold|export MODEL</c>): it takes the
/// path as its argument, applies <c>--threads</c> and <c>--max-memory</c> (to the model file and to every other read),
/// and turns a missing, damaged, unsuitable or too large file into one clear error line instead of a stack trace.
/// </summary>
internal abstract class ModelCommand : Command
{
    private readonly Option<int?> _threads = CommonOptions.Threads();

    private readonly Option<MemoryBudget?> _maxMemory = CommonOptions.MaxMemory();

    protected ModelCommand(string name, string description, Terminal terminal) : base(name, description)
    {
        Terminal = terminal;
        Arguments.Add(ModelPath);
        Options.Add(_threads);
        Options.Add(_maxMemory);
        SetAction(parsed => CommandErrors.Guarded(terminal, () =>
        {
            if (parsed.GetValue(_threads) is int threads) ThreadSettings.Apply(threads);
            return Execute(parsed, Model.Load(parsed.GetValue(ModelPath)!, budget: Budget(parsed)));
        }));
    }

    protected Terminal Terminal { get; }

    /// <summary>The memory budget of this run (<c>--max-memory</c>, or the default).</summary>
    protected MemoryBudget Budget(ParseResult parsed) => CommonOptions.Budget(parsed, _maxMemory);

    protected Argument<string> ModelPath { get; } = new("MODEL")
    {
        Description = "A model file written by 'strata train --output DIR' (DIR/model.safetensors) or Model.Save",
    };

    /// <summary>Runs the command on the loaded model; returns the exit code.</summary>
    protected abstract int Execute(ParseResult parsed, Model model);
}
