using System.CommandLine;
using System.Globalization;
using Strata.Cli.Inputs;

namespace Strata.Cli.Commands;

/// <summary><c>strata predict MODEL --input FILE</c>: the most likely classes of each image in an IDX file or a PNG.</summary>
internal sealed class PredictCommand : ModelCommand
{
    private readonly Option<string> _input = new("--input")
    {
        Description = "Samples to predict: an IDX file (N×H×W bytes, raw or .gz, like Fashion-MNIST's), one PNG/JPEG/BMP/GIF image of the model's size, or a CSV file of features",
        HelpName = "FILE",
        Required = true,
    };

    private readonly Option<string?> _label = new("--label")
    {
        Description = "A label column of a CSV --input file, left out of the features",
        HelpName = "COLUMN",
    };

    /// <summary>Images per inference batch.</summary>
    private const int PredictBatch = 256;

    /// <summary>The most --top: more classes than any classifier here has.</summary>
    private const int MaxTop = 1000;

    /// <summary>The most --limit: lines beyond it are more than anyone reads.</summary>
    private const int MaxLimit = 1_000_000;

    private readonly Option<int> _top = new("--top")
    {
        Description = $"Classes shown per image (1 to {MaxTop})",
        DefaultValueFactory = _ => 3,
        CustomParser = OptionParsers.WholeNumber(1, MaxTop),
    };

    private readonly Option<int> _limit = new("--limit")
    {
        Description = $"Images listed one per line (0 to {MaxLimit}); the class counts cover all of them",
        DefaultValueFactory = _ => 20,
        CustomParser = OptionParsers.WholeNumber(0, MaxLimit),
    };

    public PredictCommand(Terminal terminal)
        : base("predict", "Predict with a saved model: the most likely classes (by name) of each sample of an IDX file, an image or a CSV table, or its predicted number.", terminal)
    {
        Options.Add(_input);
        Options.Add(_label);
        Options.Add(_top);
        Options.Add(_limit);
    }

    protected override int Execute(ParseResult parsed, Model model)
    {
        string path = parsed.GetValue(_input)!;
        var budget = Budget(parsed);
        var images = InputAdapter.ReadInputs(path, parsed.GetValue(_label), model, budget);
        ActivationMemory.Require(budget, model, Math.Min(PredictBatch, images.Shape[0]), training: false, $"predict's batch of {PredictBatch}");
        var outputs = model.Predict(images, batchSize: PredictBatch);
        int n = images.Shape[0], classes = outputs.Length / n;
        for (int i = 0; i < outputs.Length; i++)
        {
            if (!float.IsFinite(outputs.Span[i]))
            {
                Terminal.WriteError($"the model's output for image {i / classes} of '{path}' is {outputs.Span[i]}: not a prediction.");
                return 1;
            }
        }
        if (classes == 1 && DataSource.ClassNamesOf(model) is null) return PrintNumbers(outputs, path, parsed.GetValue(_limit));
        string[] names = DataSource.ClassNamesOf(model) is { } known && known.Count == classes
            ? [.. known]
            : [.. Enumerable.Range(0, classes).Select(c => $"class {c}")];
        int top = Math.Min(parsed.GetValue(_top), classes), limit = parsed.GetValue(_limit);
        string noun = DataSource.IsCsv(path) ? "sample" : "image"; // a table's rows are samples, not images
        var counts = new int[classes];
        var output = Terminal.Out;
        for (int i = 0; i < n; i++)
        {
            float[] row = outputs.Span.Slice(i * classes, classes).ToArray();
            // Probabilities when the model ends in softmax (non-negative, summing to 1); raw scores otherwise.
            bool probabilities = Probabilities(row);
            var ranked = Enumerable.Range(0, classes).OrderByDescending(c => row[c]).ThenBy(c => c).Take(top).ToArray();
            counts[ranked[0]]++;
            if (i >= limit) continue;
            string Show(int c) => probabilities
                ? string.Create(CultureInfo.InvariantCulture, $"{names[c]} {100 * row[c]:F1}%")
                : string.Create(CultureInfo.InvariantCulture, $"{names[c]} {row[c]:G4}");
            output.WriteLine($"{noun} {i}: {Show(ranked[0])}{(top > 1 ? $" ({string.Join(", ", ranked.Skip(1).Select(Show))})" : "")}");
        }
        if (n > limit) output.WriteLine($"… {n - limit} more");
        output.WriteLine($"{n} {noun}{(n == 1 ? "" : "s")} from {path}: " +
            string.Join(", ", Enumerable.Range(0, classes).Where(c => counts[c] > 0).Select(c => $"{names[c]} {counts[c]}")));
        return 0;
    }

    /// <summary>A regression model's outputs, one number per sample.</summary>
    private int PrintNumbers(Tensor outputs, string path, int limit)
    {
        var values = outputs.Span;
        for (int i = 0; i < values.Length && i < limit; i++)
            Terminal.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sample {i}: {values[i]:G6}"));
        if (values.Length > limit) Terminal.Out.WriteLine($"… {values.Length - limit} more");
        Terminal.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{values.Length} sample{(values.Length == 1 ? "" : "s")} from {path}"));
        return 0;
    }

    private static bool Probabilities(ReadOnlySpan<float> row)
    {
        double sum = 0;
        foreach (float p in row)
        {
            if (p < 0) return false;
            sum += p;
        }
        return Math.Abs(sum - 1) < 1e-3;
    }
}
