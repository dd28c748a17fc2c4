using System.CommandLine;
using System.Globalization;

namespace Strata.Cli.Commands;

/// <summary><c>strata summary MODEL</c>: the layer table, and how the model was compiled and how far it has trained.</summary>
internal sealed class SummaryCommand : ModelCommand
{
    public SummaryCommand(Terminal terminal)
        : base("summary", "Show a saved model's layers and parameters, its optimizer and how far it has trained.", terminal)
    {
    }

    protected override int Execute(ParseResult parsed, Model model)
    {
        var output = Terminal.Out;
        output.WriteLine(model.Summary());
        if (model.Optimizer is { } optimizer)
        {
            string clipping = ClippingDescription.Of(optimizer);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Compiled: loss {model.Loss!.Name}, metrics [{string.Join(", ", model.CompiledMetrics.Select(m => m.Name))}], optimizer {optimizer.Name} (learning rate {optimizer.LearningRate}{clipping}) after {optimizer.Iterations} updates"));
        }
        else
        {
            output.WriteLine("Not compiled: the file holds no optimizer (saved with includeOptimizer: false).");
        }
        output.WriteLine($"Epochs completed: {model.EpochsCompleted}");
        return 0;
    }
}
