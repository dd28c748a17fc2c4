using System.CommandLine;
using Strata.Experiments.Reporting;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata diagnose RUN</c>: the gradient diagnosis (<see cref="GradientDiagnosis"/>) of a run folder that
/// <c>strata train --output</c> wrote (its gradients.csv), or of a <c>--log-gradients</c> file: the layers and steps
/// where gradient norms spiked, the fraction of steps clipping changed, and a suggested clip threshold.
/// </summary>
internal sealed class DiagnoseCommand : Command
{
    private readonly Argument<string> _run = new("RUN")
    {
        Description = "A run folder written by 'strata train --output DIR' (DIR/gradients.csv), or a --log-gradients CSV file",
    };

    private readonly Option<float> _spikeFactor = new("--spike-factor")
    {
        Description = "A spike is a layer's norm above this many times its median over the steps before (above 1)",
        DefaultValueFactory = _ => 10f,
        CustomParser = OptionParsers.PositiveNumber,
    };

    private readonly Option<int> _window = new("--window")
    {
        Description = $"Steps before each step whose median is the layer's baseline, {GradientDiagnosis.MinimumHistory} to 100000",
        HelpName = "N",
        DefaultValueFactory = _ => 50,
        CustomParser = OptionParsers.WholeNumber(GradientDiagnosis.MinimumHistory, 100_000),
    };

    private readonly Option<float> _percentile = new("--percentile")
    {
        Description = "The percentile of the global norms suggested as the clip threshold (AutoClip's p)",
        DefaultValueFactory = _ => 10f,
        CustomParser = OptionParsers.Percentile,
    };

    public DiagnoseCommand(Terminal terminal)
        : base("diagnose", "Name the layers and steps where a training run's gradient norms spiked, the fraction clipped, and a clip threshold.")
    {
        Arguments.Add(_run);
        Options.Add(_spikeFactor);
        Options.Add(_window);
        Options.Add(_percentile);
        SetAction(parsed => CommandErrors.Guarded(terminal, () => Execute(parsed, terminal)));
    }

    private int Execute(ParseResult parsed, Terminal terminal)
    {
        string run = parsed.GetValue(_run)!;
        string file = Directory.Exists(run) ? Path.Combine(run, TrainCommand.GradientsFile) : run;
        if (!File.Exists(file))
        {
            terminal.WriteError(Directory.Exists(run)
                ? $"{run} has no {TrainCommand.GradientsFile}: diagnose reads a folder written by 'strata train --output {run}'."
                : $"{run} does not exist.");
            return 1;
        }
        float factor = parsed.GetValue(_spikeFactor);
        if (!(factor > 1))
        {
            terminal.WriteError($"--spike-factor {factor} must be above 1.");
            return 1;
        }
        var (norms, global) = TrainingCsv.ReadLayerNorms(File.ReadAllText(file), file);
        var diagnosis = GradientDiagnosis.Of(norms, global, factor, parsed.GetValue(_window), parsed.GetValue(_percentile));
        terminal.Out.Write(diagnosis.Report());
        return 0;
    }
}
