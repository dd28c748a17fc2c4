using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Strata.Experiments.Reporting;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata fold MODEL</c>: folds BatchNormalization into the neighbouring Dense/Conv2D layers, checks that the
/// folded model predicts the same, measures both models' inference speed on this machine, and saves the folded one.
/// </summary>
internal sealed class FoldCommand : ModelCommand
{
    private readonly Option<string?> _output = new("--output")
    {
        Description = "Where to save the folded model [default: MODEL with -folded before the extension]",
        HelpName = "FILE",
    };

    private readonly Option<int> _batchSize = CommonOptions.BatchSize(256, "Samples per inference batch in the speed measurement");

    /// <summary>The most --rounds: each round predicts up to 4096 samples with both models.</summary>
    private const int MaxRounds = 1000;

    private readonly Option<int> _rounds = new("--rounds")
    {
        Description = $"Timed rounds per model, interleaved; the medians and the middle half of the rounds' speed-ups are reported (1 to {MaxRounds})",
        DefaultValueFactory = _ => 5,
        CustomParser = OptionParsers.WholeNumber(1, MaxRounds),
    };

    public FoldCommand(Terminal terminal)
        : base("fold", "Fold BatchNormalization into the neighbouring layers for inference, report the speedup, and save the folded model.", terminal)
    {
        Options.Add(_output);
        Options.Add(_batchSize);
        Options.Add(_rounds);
    }

    protected override int Execute(ParseResult parsed, Model model)
    {
        string source = parsed.GetValue(ModelPath)!;
        string target = parsed.GetValue(_output) ?? Path.Combine(Path.GetDirectoryName(source) ?? "",
            Path.GetFileNameWithoutExtension(source) + "-folded" + Path.GetExtension(source));
        var output = Terminal.Out;
        // Inputs: uniform [0, 1), like scaled pixels; enough batches that a round takes a measurable time.
        // At most 4096 samples and about 64 MB of input, at least one batch. They also calibrate the fold's self-check.
        int batch = parsed.GetValue(_batchSize);
        int samples = Math.Max(Math.Min(batch, 4096), Math.Min(4096, (16 << 20) / Math.Max(1, model.InputShape.Size)));
        ActivationMemory.Require(Budget(parsed), model, Math.Min(batch, samples), training: false, "--batch-size");
        var x = new Tensor(model.InputShape.WithBatch(samples));
        var random = new Random(1);
        for (int i = 0; i < x.Length; i++) x.Span[i] = random.NextSingle();

        Model folded;
        FoldReport report;
        try
        {
            folded = model.FoldBatchNormalization(out report, x);
        }
        catch (InvalidOperationException e)
        {
            Terminal.WriteError(e.Message);
            return 1;
        }
        int before = model.Layers.Count(l => l is Layers.BatchNormalization), after = folded.Layers.Count(l => l is Layers.BatchNormalization);
        output.WriteLine($"Folded {before - after} of {before} BatchNormalization layers; {folded.Layers.Count} layers remain (from {model.Layers.Count}).");
        foreach (string reason in report.Kept) output.WriteLine($"kept {reason}");
        foreach (var layer in report.Folded)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {layer.BatchNormalization} into {layer.Into}: predictions differ by at most {layer.MaxAbsoluteDifference:G3} ({layer.MaxRelativeDifference:G3} of the largest output)"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Predictions on {report.CalibrationSamples} random inputs differ by at most {report.MaxAbsoluteDifference:G3} ({report.MaxRelativeDifference:G3} of the largest output)."));

        int rounds = parsed.GetValue(_rounds);
        var original = new double[rounds];
        var fast = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            original[r] = SamplesPerSecond(model, x, batch);
            fast[r] = SamplesPerSecond(folded, x, batch);
        }
        double o = Percentiles.Of(original, 50), f = Percentiles.Of(fast, 50);
        // The speed-up of each round (both models timed back to back): its median, and its interquartile range, which
        // says whether the difference stands out of this machine's noise.
        var ratios = fast.Zip(original, (a, b) => a / b).ToArray();
        double low = Percentiles.Of(ratios, 25), high = Percentiles.Of(ratios, 75);
        string verdict = rounds < 3 ? "; too few rounds to judge the noise" : low <= 1 && 1 <= high ? "; within noise" : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Inference, batch {batch}, median of {rounds} interleaved rounds: {o:N0} samples/s → folded {f:N0} samples/s ({Percentiles.Of(ratios, 50):F2}×, the rounds' middle half {low:F2}–{high:F2}×{verdict})."));
        folded.Save(target, includeOptimizer: false);
        output.WriteLine($"Folded model written to {target}");
        return 0;
    }

    private static double SamplesPerSecond(Model model, Tensor x, int batch)
    {
        var clock = Stopwatch.StartNew();
        model.Predict(x, batch);
        return x.Shape[0] / clock.Elapsed.TotalSeconds;
    }
}
