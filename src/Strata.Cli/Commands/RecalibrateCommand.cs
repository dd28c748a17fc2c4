using System.CommandLine;
using System.Globalization;
using Strata.Cli.Inputs;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata recalibrate MODEL --data PATH</c>: sets every BatchNormalization layer's moving mean and variance to the
/// exact population statistics of the training data, layer by layer in inference order
/// (<see cref="Model.RecalibrateBatchNormalization(Tensor, int, int, int)"/>), reports how far each was off and, when
/// the data has a test set, the test metrics before and after, and saves the model (atomically: over MODEL by default).
/// </summary>
internal sealed class RecalibrateCommand : ModelCommand
{
    /// <summary>The most --samples; beyond about a million the statistics no longer change in float.</summary>
    private const int MaxSamples = 10_000_000;

    private readonly Option<string> _data = CommonOptions.Data();
    private readonly Option<string?> _label = new("--label") { Description = "The label column of a CSV --data file", HelpName = "COLUMN" };

    private readonly Option<int> _samples = new("--samples")
    {
        Description = $"Training samples the statistics are computed on (a seeded random subset when the data has more), 1 to {MaxSamples}",
        HelpName = "N",
        DefaultValueFactory = _ => 10_000,
        CustomParser = OptionParsers.WholeNumber(1, MaxSamples),
    };

    private readonly Option<int> _seed = new("--seed")
    {
        Description = "Chooses the subset of --samples",
        DefaultValueFactory = _ => 0,
        CustomParser = OptionParsers.WholeNumber(int.MinValue),
    };

    private readonly Option<int> _batchSize = CommonOptions.BatchSize(256, "Samples per inference batch (memory, not the result)");

    private readonly Option<string?> _output = new("--output")
    {
        Description = "Where to save the recalibrated model [default: over MODEL, atomically]",
        HelpName = "FILE",
    };

    public RecalibrateCommand(Terminal terminal)
        : base("recalibrate", "Set every BatchNormalization's moving statistics to the exact statistics of the training data, and save the model.", terminal)
    {
        Options.Add(_data);
        Options.Add(_label);
        Options.Add(_samples);
        Options.Add(_seed);
        Options.Add(_batchSize);
        Options.Add(_output);
    }

    protected override int Execute(ParseResult parsed, Model model)
    {
        string source = parsed.GetValue(ModelPath)!, path = parsed.GetValue(_data)!;
        string target = parsed.GetValue(_output) ?? source;
        if (!model.Layers.OfType<Layers.BatchNormalization>().Any())
        {
            Terminal.WriteError($"{source} has no BatchNormalization layer; there is nothing to recalibrate.");
            return 1;
        }
        var options = new DataOptions(parsed.GetValue(_label), null, Data.Files.ColorMode.Rgb, Budget(parsed));
        var data = DataSource.LoadForModel(path, options, model);
        int batch = parsed.GetValue(_batchSize);
        ActivationMemory.Require(Budget(parsed), model, Math.Min(batch, Math.Max(1, data.Data.Count)), training: false, "--batch-size");
        bool saved = model.Optimizer is not null; // a model saved with its optimizer keeps it, so training can resume
        var test = data.Test;
        var testInputs = test is null ? null : InputAdapter.ToModelInput(test.Images, model);
        if (test is not null) EvaluateCommand.CompileForEvaluation(model, data.Regression);
        string? before = testInputs is null ? null : Scores(model, testInputs, test!, batch);

        var output = Terminal.Out;
        var report = model.RecalibrateBatchNormalization(InputAdapter.ToModelInput(data.Data.Images, model),
            parsed.GetValue(_samples), batch, parsed.GetValue(_seed));
        int used = Math.Min(parsed.GetValue(_samples), data.Data.Count);
        output.WriteLine($"Recalibrated {report.Count} BatchNormalization layers on {used} samples of {path}:");
        foreach (var layer in report)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {layer.Layer}: moving mean off by up to {layer.MeanShift:G3} standard deviations, scale by up to {layer.StddevRatio:G3}× ({layer.Values} values per feature)"));
        }
        if (testInputs is not null)
            output.WriteLine($"Test set ({test!.Count} samples): before {before}; after {Scores(model, testInputs, test, batch)}");
        model.Save(target, includeOptimizer: saved);
        output.WriteLine($"Recalibrated model written to {target}");
        return 0;
    }

    private static string Scores(Model model, Tensor inputs, Data.Dataset test, int batch)
    {
        var result = model.Evaluate(inputs, test.Labels, batch);
        return string.Join(", ", result.Metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:F4}"))
            .Append(string.Create(CultureInfo.InvariantCulture, $"loss {result.Loss:F4}")));
    }
}
