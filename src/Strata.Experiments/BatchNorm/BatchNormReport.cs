using System.Globalization;
using System.Text;
using Strata.Experiments.Reporting;
using static Strata.Experiments.Reporting.ReportFormat;

namespace Strata.Experiments;

/// <summary>Writes the batchnorm experiment's folder: report.md, curves.csv, runs.csv and the PNG charts.</summary>
internal static class BatchNormReport
{
    public const string CurvesFile = "curves.csv", RunsFile = "runs.csv", ReportFile = ExperimentReport.ReportFileName;
    public const string AccuracyChart = "accuracy.png", PlainInputChart = "input-percentiles-plain.png", BnInputChart = "input-percentiles-bn.png";
    public const string LearningRateChart = "learning-rate-sweep.png", InitScaleChart = "init-scale-sweep.png", ActivationChart = "activation-sweep.png";

    /// <summary>Every chart <see cref="Charts"/> makes, for <see cref="ChartCatalog"/>.</summary>
    public static IReadOnlyList<string> ChartFiles { get; } = [AccuracyChart, PlainInputChart, BnInputChart, LearningRateChart, InitScaleChart, ActivationChart];

    public static IReadOnlyList<BatchNormComparison> Compare(IReadOnlyList<BatchNormRun> runs)
    {
        var main = runs.Where(r => r.Spec.Group == "main").ToList();
        return main.Select(r => (r.Spec.LearningRate, r.Spec.Seed)).Distinct().Select(key =>
        {
            var plain = main.Single(r => (r.Spec.LearningRate, r.Spec.Seed) == key && !r.Spec.BatchNorm);
            var bn = main.Single(r => (r.Spec.LearningRate, r.Spec.Seed) == key && r.Spec.BatchNorm);
            double best = plain.BestAccuracy;
            return new BatchNormComparison(key.LearningRate, key.Seed, best, plain.StepsToReach(best)!.Value, bn.BestAccuracy, bn.StepsToReach(best));
        }).ToList();
    }

    private static TextTable ComparisonTable(IReadOnlyList<BatchNormRun> runs)
    {
        var table = new TextTable("learning rate", "seed", "plain best", "plain steps to best", "BN best", "BN steps to plain best", "ratio");
        foreach (var c in Compare(runs))
            table.Add(G(c.LearningRate), I(c.Seed), F4(c.PlainBest), I(c.PlainStepsToBest), F4(c.BnBest), c.BnStepsToPlainBest is int b ? I(b) : "never", c.Ratio is double r ? F2(r) : c.PlainFailed ? "plain failed" : "-");
        foreach (var group in Compare(runs).GroupBy(c => c.LearningRate).Where(g => g.Count() > 1))
        {
            // A seed where BN never reached the plain best counts as ratio 1 or more; the median is then still defined.
            // Seeds where the plain network failed have no ratio and stay out of it.
            var ratios = group.Where(c => !c.PlainFailed).Select(c => c.Ratio ?? double.PositiveInfinity).ToArray();
            double median = ratios.Length == 0 ? double.NaN : Percentiles.Of(ratios.Select(r => Math.Min(r, 1e9)), 50);
            table.Add(G(group.Key), "median", F4(Percentiles.Of(group.Select(c => c.PlainBest), 50)), "", F4(Percentiles.Of(group.Select(c => c.BnBest), 50)), "",
                double.IsNaN(median) ? "plain failed" : median >= 1e9 ? "never" : F2(median));
        }
        return table;
    }

    /// <summary>Empty for NaN (the batch-statistics columns of a network without BN).</summary>
    private static double? Cell(double v) => double.IsNaN(v) ? null : v;

    /// <summary>
    /// The main BN runs' test accuracy with the moving statistics and with recalibrated ones, at the first evaluations
    /// (where the moving averages of momentum 0.99 still remember their start) and at the end.
    /// </summary>
    public static TextTable RecalibrationTable(IReadOnlyList<BatchNormRun> runs)
    {
        var table = new TextTable("learning rate", "seed", "step", "moving statistics", "recalibrated", "gap");
        foreach (var run in runs.Where(r => r.Spec.Group == "main" && r.Spec.BatchNorm))
        {
            var cs = run.Checkpoints;
            foreach (var c in cs.Take(3).Append(cs[^1]).Distinct())
                table.Add(G(run.Spec.LearningRate), I(run.Spec.Seed), I(c.Step), F4(c.TestAccuracy), F4(c.RecalibratedAccuracy), F4(c.RecalibratedAccuracy - c.TestAccuracy));
        }
        return table;
    }

    /// <summary>Test accuracy of a run at the last evaluation at or before <paramref name="step"/>.</summary>
    public static double AccuracyAt(BatchNormRun run, int step) => run.Checkpoints.Last(c => c.Step <= step).TestAccuracy;

    /// <summary>The short table printed at the end of the run.</summary>
    public static string SummaryTable(BatchNormSettings s, IReadOnlyList<BatchNormRun> runs)
    {
        var table = ComparisonTable(runs);
        var sweep = new TextTable("learning rate", $"plain acc @{s.SweepSteps}", "plain", $"BN acc @{s.SweepSteps}", "BN");
        foreach (var (lr, plain, bn) in Pairs(runs, "learning-rate", r => r.Spec.LearningRate))
            sweep.Add(G(lr), F4(plain.FinalAccuracy), Verdict(plain), F4(bn.FinalAccuracy), Verdict(bn));
        return table + "\n" + sweep + "\n" + RecalibrationTable(runs);
    }

    /// <summary>Writes every file into <paramref name="directory"/>; the charts are left out, with a warning, on a machine without fonts.</summary>
    public static ExperimentReport Write(string directory, BatchNormResult result, string? dataSource)
    {
        Directory.CreateDirectory(directory);
        var files = WriteCsvs(directory, result.Runs).ToList();
        string? warning = Plots.TryDraw(() => files.AddRange(Plots.Save(directory, Charts(result.Settings, result.Runs))));
        string report = Path.Combine(directory, ReportFile);
        File.WriteAllText(report, Markdown(result, dataSource, warning));
        return new ExperimentReport(directory, [report, .. files], warning);
    }

    private static IEnumerable<string> WriteCsvs(string directory, IReadOnlyList<BatchNormRun> runs)
    {
        var curves = new Csv("group", "network", "activation", "learning_rate", "init_stddev", "seed", "step", "test_accuracy", "test_loss", "input_p15", "input_p50", "input_p85",
            "input_batch_p15", "input_batch_p50", "input_batch_p85", "recalibrated_accuracy");
        var summary = new Csv("group", "network", "activation", "learning_rate", "init_stddev", "seed", "steps", "final_accuracy", "best_accuracy", "skipped_steps", "first_nonfinite_step", "failed", "seconds");
        foreach (var run in runs)
        {
            var p = run.Spec;
            foreach (var c in run.Checkpoints)
                curves.Row(p.Group, p.Network, p.Activation, p.LearningRate, p.InitStddev, p.Seed, c.Step, c.TestAccuracy, c.TestLoss, c.P15, c.P50, c.P85,
                    Cell(c.BatchP15), Cell(c.BatchP50), Cell(c.BatchP85), Cell(c.RecalibratedAccuracy));
            summary.Row(p.Group, p.Network, p.Activation, p.LearningRate, p.InitStddev, p.Seed, p.Steps, run.FinalAccuracy, run.BestAccuracy,
                run.SkippedSteps, run.FirstNonFiniteStep, run.Failed, Math.Round(run.Seconds, 2));
        }
        return [curves.Save(Path.Combine(directory, CurvesFile)), summary.Save(Path.Combine(directory, RunsFile))];
    }

    /// <summary>
    /// The accuracy curves of the main comparison (the mean over seeds of each network and learning rate), the
    /// sigmoid-input percentiles of both networks and the three sweeps' bars.
    /// </summary>
    /// <exception cref="PlotUnavailableException">The machine has no fonts to draw text with.</exception>
    public static IReadOnlyList<Chart> Charts(BatchNormSettings s, IReadOnlyList<BatchNormRun> runs)
    {
        var charts = new List<Chart>();
        var main = runs.Where(r => r.Spec.Group == "main").ToList();
        var series = new List<Series>();
        foreach (float lr in s.MainLearningRates)
        {
            foreach (bool bn in new[] { false, true })
            {
                var these = main.Where(r => r.Spec.BatchNorm == bn && r.Spec.LearningRate == lr).ToList();
                var steps = these[0].Checkpoints.Select(c => (double)c.Step).ToArray();
                // Mean over seeds; a run that stopped early (it cannot: Fit runs every step) would shorten the curve.
                var mean = steps.Select((_, i) => these.Average(r => r.Checkpoints[i].TestAccuracy)).ToArray();
                series.Add(new Series($"{these[0].Spec.Network}, lr {G(lr)}" + (these.Count == 1 ? "" : $" (mean of {these.Count} seeds)"), steps, mean));
            }
        }
        // The y axis is fitted to the curves: a fixed range would hide a network that stays near chance.
        charts.Add(Plots.Lines(AccuracyChart,
            $"Fashion-MNIST, 3×100 sigmoid, SGD, batch {s.BatchSize}: test accuracy", "training step", "test accuracy", series));

        foreach (bool bn in new[] { false, true })
        {
            var run = main.First(r => r.Spec.BatchNorm == bn && r.Spec.Seed == 0 && r.Spec.LearningRate == s.LearningRate);
            var cs = run.Checkpoints;
            var steps = cs.Select(c => (double)c.Step).ToArray();
            var bands = new List<(string, double[], double[], double[], double[])>
            {
                (bn ? "moving stats" : run.Spec.Network, steps, cs.Select(c => c.P15).ToArray(), cs.Select(c => c.P50).ToArray(), cs.Select(c => c.P85).ToArray()),
            };
            if (bn) bands.Add(("batch stats", steps, cs.Select(c => c.BatchP15).ToArray(), cs.Select(c => c.BatchP50).ToArray(), cs.Select(c => c.BatchP85).ToArray()));
            charts.Add(Plots.Bands(bn ? BnInputChart : PlainInputChart,
                $"{run.Spec.Network}, lr {G(s.LearningRate)}: input of a last-layer sigmoid",
                "training step", bn ? "γ·x̂ + β (sigmoid input)" : "Wu + b (sigmoid input)", bands));
        }

        var rates = Pairs(runs, "learning-rate", r => r.Spec.LearningRate).ToList();
        charts.Add(Bars(LearningRateChart, $"Test accuracy after {s.SweepSteps} steps by learning rate (sigmoid)", "SGD learning rate",
            rates.Select(p => G(p.Key)).ToList(), rates.Select(p => p.Plain.FinalAccuracy).ToArray(), rates.Select(p => p.Bn.FinalAccuracy).ToArray()));

        var init = VariantRows(s, runs, "init-scale", r => r.Spec.InitStddev, s.InitStddev).ToList();
        charts.Add(Bars(InitScaleChart, $"Test accuracy after {s.SweepSteps} steps by initial weight scale (sigmoid, SGD {G(s.LearningRate)})",
            "σ of the initial weights N(0, σ²)", init.Select(r => G(r.Key)).ToList(), init.Select(r => r.Plain).ToArray(), init.Select(r => r.Bn).ToArray()));

        var act = ActivationRows(s, runs).ToList();
        charts.Add(Bars(ActivationChart, $"Test accuracy after {s.SweepSteps} steps by activation (SGD {G(s.LearningRate)}, σ {G(s.InitStddev)})",
            "hidden activation", act.Select(r => r.Key).ToList(), act.Select(r => r.Plain).ToArray(), act.Select(r => r.Bn).ToArray()));
        return charts;
    }

    private static Chart Bars(string fileName, string title, string xLabel, List<string> categories, double[] plain, double[] bn) =>
        Plots.Fractions(fileName, title, xLabel, "test accuracy", categories, ["plain", "BN"], [plain, bn]);

    /// <summary>The plain and BN run of each value of a sweep, in sweep order.</summary>
    private static IEnumerable<(float Key, BatchNormRun Plain, BatchNormRun Bn)> Pairs(IReadOnlyList<BatchNormRun> runs, string group, Func<BatchNormRun, float> key)
    {
        var these = runs.Where(r => r.Spec.Group == group).ToList();
        foreach (float k in these.Select(key).Distinct())
            yield return (k, these.Single(r => key(r) == k && !r.Spec.BatchNorm), these.Single(r => key(r) == k && r.Spec.BatchNorm));
    }

    /// <summary>A sweep's rows plus the main setting, read from the seed-0 main runs at the sweep's step count.</summary>
    private static IEnumerable<(float Key, double Plain, double Bn)> VariantRows(BatchNormSettings s, IReadOnlyList<BatchNormRun> runs, string group,
        Func<BatchNormRun, float> key, float mainKey)
    {
        var rows = Pairs(runs, group, key).Select(p => (p.Key, p.Plain.FinalAccuracy, p.Bn.FinalAccuracy)).ToList();
        if (!rows.Any(r => r.Key == mainKey))
        {
            var (plain, bn) = MainSeed0(s, runs);
            rows.Add((mainKey, AccuracyAt(plain, s.SweepSteps), AccuracyAt(bn, s.SweepSteps)));
        }
        return rows.OrderBy(r => r.Key);
    }

    private static IEnumerable<(string Key, double Plain, double Bn)> ActivationRows(BatchNormSettings s, IReadOnlyList<BatchNormRun> runs)
    {
        var (plain, bn) = MainSeed0(s, runs);
        yield return ("sigmoid", AccuracyAt(plain, s.SweepSteps), AccuracyAt(bn, s.SweepSteps));
        foreach (var p in runs.Where(r => r.Spec.Group == "activation").GroupBy(r => r.Spec.Activation))
            yield return (p.Key, p.Single(r => !r.Spec.BatchNorm).FinalAccuracy, p.Single(r => r.Spec.BatchNorm).FinalAccuracy);
    }

    private static (BatchNormRun Plain, BatchNormRun Bn) MainSeed0(BatchNormSettings s, IReadOnlyList<BatchNormRun> runs) =>
        (runs.Single(r => r.Spec.Group == "main" && r.Spec.Seed == 0 && r.Spec.LearningRate == s.LearningRate && !r.Spec.BatchNorm),
         runs.Single(r => r.Spec.Group == "main" && r.Spec.Seed == 0 && r.Spec.LearningRate == s.LearningRate && r.Spec.BatchNorm));

    private static string Verdict(BatchNormRun run) =>
        run.SkippedSteps > 0 ? $"fails (diverged at step {run.FirstNonFiniteStep})" : run.Failed ? "fails (≤ chance + 0.1)" : "trains";

    private static string Markdown(BatchNormResult result, string? dataSource, string? chartWarning)
    {
        var (s, runs) = (result.Settings, result.Runs);
        var md = new StringBuilder();
        md.Append("# Batch normalization on Fashion-MNIST (Ioffe & Szegedy 2015, §4.1)\n\n");
        if (s.Caveat is { } caveat) md.Append("> ").Append(caveat).Append("\n\n");
        string source = dataSource is null ? "Fashion-MNIST" : $"`{dataSource}`";
        string tested = s.TestCount > 0 && result.TestCount == s.TestCount ? $"the first {I(s.TestCount)}" : $"all {N(result.TestCount)}";
        md.Append(CultureInfo.InvariantCulture, $"Data: {source} ({N(result.TrainCount)} training images; test accuracy on {tested} test images).\n");
        md.Append(CultureInfo.InvariantCulture, $"Network: 784 → 3 × [Dense(100) → sigmoid] → Dense(10, softmax); weights N(0, {G(s.InitStddev)}²), biases 0. ");
        md.Append("The BN network drops the hidden biases and puts BatchNormalization (Keras defaults: momentum 0.99, ε 1e-3) between each Dense and its sigmoid.\n");
        md.Append(CultureInfo.InvariantCulture, $"Training: plain SGD (no momentum), batch {s.BatchSize}, shuffled every epoch; ");
        md.Append(CultureInfo.InvariantCulture, $"main comparison at learning rates {string.Join(" and ", s.MainLearningRates.Select(G))}, {s.Steps} steps over {s.Seeds} seed(s), evaluated every {s.EvaluateEvery} steps; ");
        md.Append(CultureInfo.InvariantCulture, $"sweeps {s.SweepSteps} steps, seed 0, at learning rate {G(s.LearningRate)} unless swept, evaluated every {s.SweepEvaluateEvery}.\n");
        md.Append(CultureInfo.InvariantCulture, $"Total time {result.Seconds:F0} s.\n\n");

        md.Append("## Speed of learning\n\n");
        md.Append("\"Plain best\" is the plain network's highest test accuracy over the run and the step where it first reached it; ");
        md.Append("the ratio is BN's steps to that same accuracy over the plain network's.\n\n");
        var table = ComparisonTable(runs);
        md.Append(table.ToMarkdown()).Append('\n');
        md.Append(Figure(AccuracyChart, "Test accuracy against steps", chartWarning));
        md.Append("## Distribution of a sigmoid's input over training (Fig. 1 b, c)\n\n");
        md.Append(CultureInfo.InvariantCulture, $"Unit {BatchNormExperiment.ProbeUnit} of the last hidden layer, over the first {s.ProbeCount} test images, learning rate {G(s.LearningRate)}, seed 0. ");
        md.Append("For the BN network two views: in inference mode (normalized with the moving statistics, as the test accuracy is measured) and normalized with the probe batch's own mean and variance, as in a training step.\n\n");
        md.Append(Figure(PlainInputChart, "plain network", chartWarning)).Append(Figure(BnInputChart, "BN network", chartWarning));

        md.Append("## Moving statistics against recalibrated ones\n\n");
        md.Append(CultureInfo.InvariantCulture, $"At each evaluation the BN network's test accuracy is also measured with every BN's statistics recalibrated: the exact mean and variance of its input over {N(s.RecalibrationCount)} training images, layer by layer (`Model.RecalibrateBatchNormalization`); the moving statistics are then put back. ");
        md.Append("The gap is what the moving averages (momentum 0.99: about 300 steps to forget their start, and lagging behind weights that change) cost inference.\n\n");
        md.Append(RecalibrationTable(runs).ToMarkdown()).Append('\n');
        md.Append("## Learning-rate sweep\n\n");
        md.Append(CultureInfo.InvariantCulture, $"A run **fails** if a step's loss or gradient was not finite (diverged) or its final test accuracy is at most {BatchNormRun.FailAccuracy} (chance is 0.1).\n\n");
        var sweep = new TextTable("learning rate", "plain final", "plain best", "plain", "BN final", "BN best", "BN");
        foreach (var (lr, plain, bn) in Pairs(runs, "learning-rate", r => r.Spec.LearningRate))
            sweep.Add(G(lr), F4(plain.FinalAccuracy), F4(plain.BestAccuracy), Verdict(plain), F4(bn.FinalAccuracy), F4(bn.BestAccuracy), Verdict(bn));
        md.Append(sweep.ToMarkdown()).Append('\n');
        var rescued = Pairs(runs, "learning-rate", r => r.Spec.LearningRate).Where(p => p.Plain.Failed && !p.Bn.Failed).Select(p => G(p.Key)).ToList();
        md.Append(rescued.Count > 0
            ? $"Rates where the plain network fails and the BN network trains: {string.Join(", ", rescued)}.\n\n"
            : "At no rate in this sweep did the plain network fail while the BN network trained.\n\n");
        md.Append(Figure(LearningRateChart, "Learning-rate sweep", chartWarning));

        md.Append("## Activation and initialization scale\n\n");
        md.Append(CultureInfo.InvariantCulture, $"Test accuracy after {s.SweepSteps} steps (the main setting's row is read from the seed-0 main runs at that step).\n\n");
        var variants = new TextTable("variant", "plain", "BN");
        foreach (var (k, p, b) in ActivationRows(s, runs)) variants.Add($"activation {k}", F4(p), F4(b));
        foreach (var (k, p, b) in VariantRows(s, runs, "init-scale", r => r.Spec.InitStddev, s.InitStddev)) variants.Add($"init σ {G(k)}", F4(p), F4(b));
        md.Append(variants.ToMarkdown()).Append('\n');
        md.Append(Figure(ActivationChart, "Activations", chartWarning)).Append(Figure(InitScaleChart, "Initialization scale", chartWarning));
        md.Append("## Files\n\n");
        md.Append($"- `{CurvesFile}`: every evaluation of every run (step, test accuracy and loss, the probe's 15/50/85th percentiles, a BN run's recalibrated accuracy).\n");
        md.Append($"- `{RunsFile}`: one row per run (final and best accuracy, skipped non-finite steps, failed, seconds).\n");
        return md.ToString();
    }
}
