using System.CommandLine;
using System.Globalization;
using System.Text;
using Strata.Cli.Inputs;
using Strata.Optimizers;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata evaluate MODEL</c>: a saved model's loss and metrics, and for a classifier its confusion matrix, on the
/// test set of the data it is given (<see cref="DataSource.LoadForEvaluation"/>): Fashion-MNIST's test files, an IDX
/// folder's test pair, an image folder (its test/ folder if it has one), or a CSV table.
/// </summary>
internal sealed class EvaluateCommand : ModelCommand
{
    /// <summary>The most classes whose confusion matrix is printed; beyond it the table is more than a screen reads.</summary>
    private const int MaxPrintedClasses = 20;

    private readonly Option<string> _data = CommonOptions.Data();
    private readonly Option<string?> _label = new("--label") { Description = "The label column of a CSV --data file", HelpName = "COLUMN" };
    private readonly Option<int> _batchSize = CommonOptions.BatchSize(256, "Samples per inference batch");

    public EvaluateCommand(Terminal terminal)
        : base("evaluate", "Report a saved model's loss, metrics and confusion matrix on a test set (Fashion-MNIST's by default).", terminal)
    {
        Options.Add(_data);
        Options.Add(_label);
        Options.Add(_batchSize);
    }

    protected override int Execute(ParseResult parsed, Model model)
    {
        string path = parsed.GetValue(_data)!;
        var options = new DataOptions(parsed.GetValue(_label), null, Data.Files.ColorMode.Rgb, Budget(parsed));
        var source = DataSource.LoadForEvaluation(path, options, model);
        var test = source.Data;
        int batch = parsed.GetValue(_batchSize);
        ActivationMemory.Require(Budget(parsed), model, Math.Min(batch, Math.Max(1, test.Count)), training: false, "--batch-size");
        // A model saved without its optimizer is compiled with the loss strata train gives its kind of output; the
        // optimizer is never used by Evaluate.
        if (model.Optimizer is null)
        {
            bool regression = source.Regression || (model.ClassNames is null && model.OutputShape[^1] == 1);
            model.Compile(new Sgd(), regression ? Losses.MeanSquaredError : Losses.SparseCategoricalCrossentropy,
                [regression ? Metrics.Get("mae") : Metrics.Accuracy]);
        }
        var inputs = InputAdapter.ToModelInput(test.Images, model);
        var result = model.Evaluate(inputs, test.Labels, batch);
        if (!float.IsFinite(result.Loss) || result.Metrics.Values.Any(v => !double.IsFinite(v)))
        {
            Terminal.WriteError(string.Create(CultureInfo.InvariantCulture,
                $"the model's test loss is {result.Loss} on {test.Count} samples from {path}: not a result (its outputs are not finite)."));
            return 1;
        }
        string metrics = string.Concat(result.Metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"test {m.Key} {m.Value:F4}, ")));
        Terminal.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{metrics}test loss {result.Loss:F4} ({test.Count} samples from {path})"));
        if (result.ConfusionMatrix is { } confusion && confusion.GetLength(0) <= MaxPrintedClasses)
            Terminal.Out.Write(ConfusionTable(confusion, DataSource.ClassNamesOf(model)));
        return 0;
    }

    /// <summary>Rows are the true classes, columns the predicted ones, each headed by its class index; the names follow.</summary>
    internal static string ConfusionTable(int[,] confusion, IReadOnlyList<string>? names)
    {
        int k = confusion.GetLength(0);
        int width = Math.Max(4, (from int v in confusion select v.ToString(CultureInfo.InvariantCulture).Length).Max() + 1);
        var text = new StringBuilder("confusion matrix (rows: true class, columns: predicted)\n");
        text.Append(new string(' ', 6));
        for (int c = 0; c < k; c++) text.Append(c.ToString(CultureInfo.InvariantCulture).PadLeft(width));
        text.Append('\n');
        for (int r = 0; r < k; r++)
        {
            text.Append(r.ToString(CultureInfo.InvariantCulture).PadLeft(4)).Append("  ");
            for (int c = 0; c < k; c++) text.Append(confusion[r, c].ToString(CultureInfo.InvariantCulture).PadLeft(width));
            if (names is not null && r < names.Count) text.Append("  ").Append(names[r]);
            text.Append('\n');
        }
        return text.ToString();
    }
}
