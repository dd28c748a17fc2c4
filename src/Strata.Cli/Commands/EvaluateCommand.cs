using System.CommandLine;
using System.Globalization;
using Strata.Cli.Inputs;
using Strata.Data;
using Strata.Optimizers;

namespace Strata.Cli.Commands;

/// <summary><c>strata evaluate MODEL</c>: test accuracy and loss of a saved model on the Fashion-MNIST test set.</summary>
internal sealed class EvaluateCommand : ModelCommand
{
    private readonly Option<string> _data = CommonOptions.Data();
    private readonly Option<int> _batchSize = CommonOptions.BatchSize(256, "Images per inference batch");

    public EvaluateCommand(Terminal terminal)
        : base("evaluate", "Report a saved model's accuracy and loss on the Fashion-MNIST test set.", terminal)
    {
        Options.Add(_data);
        Options.Add(_batchSize);
    }

    protected override int Execute(ParseResult parsed, Sequential model)
    {
        string directory = parsed.GetValue(_data)!;
        var test = FashionMnist.LoadTest(directory, Budget(parsed)); // the test files only
        int batch = parsed.GetValue(_batchSize);
        ActivationMemory.Require(Budget(parsed), model, Math.Min(batch, Math.Max(1, test.Count)), training: false, "--batch-size");
        // A model saved without its optimizer is compiled here with the loss it was trained on in strata train;
        // the optimizer is never used by Evaluate.
        if (model.Optimizer is null) model.Compile(new Sgd(), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        var images = InputAdapter.ToModelInput(test.Images, model);
        var result = model.Evaluate(images, test.Labels, batch);
        if (!float.IsFinite(result.Loss) || result.Metrics.Values.Any(v => !double.IsFinite(v)))
        {
            Terminal.WriteError(string.Create(CultureInfo.InvariantCulture,
                $"the model's test loss is {result.Loss} on {test.Count} images from {directory}: not a result (its outputs are not finite)."));
            return 1;
        }
        string metrics = string.Concat(result.Metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"test {m.Key} {m.Value:F4}, ")));
        Terminal.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{metrics}test loss {result.Loss:F4} ({test.Count} images from {directory})"));
        return 0;
    }
}
