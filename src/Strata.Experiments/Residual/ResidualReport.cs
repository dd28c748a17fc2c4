using System.Globalization;
using System.Text;
using Strata.Experiments.Reporting;
using static Strata.Experiments.Reporting.ReportFormat;

namespace Strata.Experiments;

/// <summary>Writes the residual experiment's folder: report.md, curves.csv, runs.csv, block-gradients.csv and the PNG charts.</summary>
internal static class ResidualReport
{
    public const string CurvesFile = "curves.csv", RunsFile = "runs.csv", BlockGradientsFile = "block-gradients.csv";
    public const string AccuracyChart = "residual-accuracy.png", BlockGradientChart = "block-gradient-norms.png";

    /// <summary>Every chart <see cref="Charts"/> makes, for <see cref="ChartCatalog"/>.</summary>
    public static IReadOnlyList<string> ChartFiles { get; } = [AccuracyChart, BlockGradientChart];

    /// <summary>One row per run: its start (loss, block gradient norms) and its end (accuracy, verdict).</summary>
    public static TextTable RunTable(IReadOnlyList<ResidualRun> runs)
    {
        var table = new TextTable("variant", "seed", "initial loss", "‖g‖ first block", "‖g‖ last block", "final accuracy", "best accuracy", "outcome");
        foreach (var run in runs)
            table.Add(run.Spec.Label, I(run.Spec.Seed), Number(run.InitialLoss), Number(run.BlockGradientNorms[0]), Number(run.BlockGradientNorms[^1]),
                F4(run.FinalAccuracy), F4(run.BestAccuracy), Verdict(run));
        return table;
    }

    private static string Verdict(ResidualRun run) =>
        run.SkippedSteps > 0 ? $"fails (not finite from step {run.FirstNonFiniteStep}, {run.SkippedSteps} steps skipped)"
        : run.Failed ? "fails (≤ chance + 0.1)" : "trains";

    /// <summary>A number of any size in 3 significant digits.</summary>
    private static string Number(double v) => v.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>Writes every file into <paramref name="directory"/>; the charts are left out, with a warning, on a machine without fonts.</summary>
    public static ExperimentReport Write(string directory, ResidualResult result, string? dataSource)
    {
        Directory.CreateDirectory(directory);
        var files = WriteCsvs(directory, result.Runs).ToList();
        string? warning = Plots.TryDraw(() => files.AddRange(Plots.Save(directory, Charts(result))));
        string report = Path.Combine(directory, ExperimentReport.ReportFileName);
        File.WriteAllText(report, Markdown(result, dataSource, warning));
        return new ExperimentReport(directory, [report, .. files], warning);
    }

    private static IEnumerable<string> WriteCsvs(string directory, IReadOnlyList<ResidualRun> runs)
    {
        var curves = new Csv("variant", "seed", "step", "test_accuracy", "test_loss");
        var summary = new Csv("variant", "seed", "initial_loss", "final_accuracy", "best_accuracy", "skipped_steps", "first_nonfinite_step", "failed", "seconds");
        var blocks = new Csv("variant", "seed", "block", "gradient_norm");
        foreach (var run in runs)
        {
            var p = run.Spec;
            foreach (var c in run.Checkpoints) curves.Row(p.Label, p.Seed, c.Step, c.TestAccuracy, c.TestLoss);
            summary.Row(p.Label, p.Seed, run.InitialLoss, run.FinalAccuracy, run.BestAccuracy, run.SkippedSteps, run.FirstNonFiniteStep, run.Failed,
                Math.Round(run.Seconds, 2));
            for (int b = 0; b < run.BlockGradientNorms.Count; b++) blocks.Row(p.Label, p.Seed, b + 1, run.BlockGradientNorms[b]);
        }
        return [curves.Save(Path.Combine(directory, CurvesFile)), summary.Save(Path.Combine(directory, RunsFile)),
            blocks.Save(Path.Combine(directory, BlockGradientsFile))];
    }

    /// <summary>Test accuracy against steps (the mean over seeds of each variant) and seed 0's gradient norm per block, log scale.</summary>
    /// <exception cref="PlotUnavailableException">The machine has no fonts to draw text with.</exception>
    public static IReadOnlyList<Chart> Charts(ResidualResult result)
    {
        var s = result.Settings;
        var accuracy = new List<Series>();
        var gradients = new List<Series>();
        foreach (var variant in ResidualExperiment.Variants)
        {
            var these = result.Of(variant);
            var steps = these[0].Checkpoints.Select(c => (double)c.Step).ToArray();
            var mean = steps.Select((_, i) => these.Average(r => r.Checkpoints[i].TestAccuracy)).ToArray();
            accuracy.Add(new Series(these[0].Spec.Label + (these.Count == 1 ? "" : $" (mean of {these.Count} seeds)"), steps, mean));
            var norms = these[0].BlockGradientNorms;
            gradients.Add(new Series(these[0].Spec.Label, [.. Enumerable.Range(1, norms.Count).Select(b => (double)b)], norms));
        }
        return
        [
            Plots.Lines(AccuracyChart, $"Fashion-MNIST, {s.Blocks} residual blocks, SGD {G(s.LearningRate)} momentum 0.9: test accuracy",
                "training step", "test accuracy", accuracy),
            // An all-zero branch start (Fixup) leaves blocks whose norm is 0; the log axis leaves them out and the legend names the series.
            Plots.Lines(BlockGradientChart, $"Gradient norm per block before the first update (seed 0)", "block (1 = nearest the input)",
                "‖∂L/∂θ‖ of the block", gradients, logY: true, integerX: true),
        ];
    }

    private static string Markdown(ResidualResult result, string? dataSource, string? chartWarning)
    {
        var (s, runs) = (result.Settings, result.Runs);
        var md = new StringBuilder();
        md.Append("# Deep residual networks with and without BatchNormalization, and Fixup (Zhang et al. 2019)\n\n");
        if (s.Caveat is { } caveat) md.Append("> ").Append(caveat).Append("\n\n");
        string source = dataSource is null ? "Fashion-MNIST" : $"`{dataSource}`";
        string tested = s.TestCount > 0 && result.TestCount == s.TestCount ? $"the first {N(s.TestCount)}" : $"all {N(result.TestCount)}";
        md.Append(CultureInfo.InvariantCulture, $"Data: {source} ({N(result.TrainCount)} training images; test accuracy on {tested} test images).\n");
        md.Append(CultureInfo.InvariantCulture, $"Network: a 3×3 stride-2 stem of {ResidualNetwork.Filters} filters (28 → 14), {s.Blocks} basic residual blocks ");
        md.Append(CultureInfo.InvariantCulture, $"of {ResidualNetwork.Filters} filters with identity shortcuts ({2 * s.Blocks + 2} weighted layers), global average pooling, Dense(10, softmax). ");
        md.Append("**BN**: BatchNormalization after every convolution (Keras defaults). **no BN**: the same blocks without it, convolutions with biases, He-normal kernels and zero biases. ");
        md.Append("**Fixup**: no normalization; each branch's second convolution and the classifier start at zero, the first convolutions He-normal × L^(−1/2), scalar biases and a scalar multiplier per branch, trained at a tenth of the rate as the paper does.\n");
        md.Append(CultureInfo.InvariantCulture, $"Training: SGD, learning rate {G(s.LearningRate)}, momentum 0.9, batch {s.BatchSize}, {N(s.Steps)} steps, {s.Seeds} seed(s); test accuracy every {s.EvaluateEvery} steps. ");
        md.Append("A step whose loss or gradient is not finite is skipped (the weights are left as they were) and counted.\n");
        md.Append(CultureInfo.InvariantCulture, $"Total time {result.Seconds:F0} s.\n\n");

        md.Append("## Outcome\n\n");
        md.Append(CultureInfo.InvariantCulture, $"A run **fails** if a step's loss or gradient was not finite or its final test accuracy is at most {BatchNormRun.FailAccuracy} (chance is 0.1). ");
        md.Append("The gradient norms are measured on the first training images before any update.\n\n");
        md.Append(RunTable(runs).ToMarkdown()).Append('\n');
        md.Append(Claim(result)).Append("\n\n");
        md.Append(Figure(AccuracyChart, "Test accuracy against steps", chartWarning));
        md.Append("## Gradients at initialization\n\n");
        md.Append("Without normalization and with the usual initialization each block adds a branch about as large as its input, so the ");
        md.Append("activations' variance grows about 2× per block and the loss's gradients grow with it towards the input. BN rescales every ");
        md.Append("branch. Fixup starts every branch's last convolution and the classifier at zero, so the network starts as its stem and a uniform classifier (loss ln 10): ");
        md.Append("at the first step only the classifier has a gradient, every block's norm is 0, and the log-scale chart has nothing to draw for Fixup.\n\n");
        md.Append(Figure(BlockGradientChart, "Gradient norm per block", chartWarning));
        md.Append("## Files\n\n");
        md.Append($"- `{CurvesFile}`: every evaluation of every run (step, test accuracy and loss).\n");
        md.Append($"- `{RunsFile}`: one row per run (initial loss, final and best accuracy, skipped non-finite steps, failed, seconds).\n");
        md.Append($"- `{BlockGradientsFile}`: each run's gradient norm per block before the first update.\n");
        return md.ToString();
    }

    /// <summary>Whether the claim held at this depth, in a sentence with the figures behind it.</summary>
    private static string Claim(ResidualResult result)
    {
        var plain = result.Of(ResidualVariant.NoNormalization);
        var fixup = result.Of(ResidualVariant.Fixup);
        var bn = result.Of(ResidualVariant.BatchNorm);
        string Accuracies(IReadOnlyList<ResidualRun> rs) => string.Join(", ", rs.Select(r => F4(r.FinalAccuracy)));
        string depth = string.Create(CultureInfo.InvariantCulture, $"{result.Settings.Blocks} blocks");
        if (result.ClaimHolds)
            return $"**The claim holds at {depth}:** without BN the usual initialization failed with every seed, Fixup trained (final accuracy {Accuracies(fixup)}; BN {Accuracies(bn)}).";
        if (plain.All(r => !r.Failed))
            return $"**Not shown at {depth}:** the network without BN trained at the usual initialization too (final accuracy {Accuracies(plain)}; Fixup {Accuracies(fixup)}, BN {Accuracies(bn)}), so this depth does not separate them; try more blocks (`--blocks`).";
        return $"**The claim does not hold at {depth}:** without BN {plain.Count(r => r.Failed)} of {plain.Count} runs failed, Fixup {fixup.Count(r => r.Failed)} of {fixup.Count} (final accuracy without BN {Accuracies(plain)}; Fixup {Accuracies(fixup)}; BN {Accuracies(bn)}).";
    }
}
