using System.Globalization;
using System.Text;
using Strata.Experiments.Reporting;
using static Strata.Experiments.Reporting.ReportFormat;

namespace Strata.Experiments;

/// <summary>Writes the clipping experiment's folder: report.md, runs.csv, evaluations.csv, gradient-norms.csv and the PNG charts.</summary>
internal static class ClippingReport
{
    public const string ReportFile = ExperimentReport.ReportFileName, RunsFile = "runs.csv", EvaluationsFile = "evaluations.csv", NormsFile = "gradient-norms.csv";

    /// <summary>At most this many points per run in gradient-norms.csv and the trace charts (the largest norm of each window).</summary>
    public const int TracePoints = 1_000;

    public static string SuccessChart(string task) => $"success-{task}.png";

    public static string ExplodedChart(string task) => $"exploded-{task}.png";

    public static string ErrorChart(string task) => $"error-rate-{task}.png";

    public static string TraceChart(string task) => $"gradient-norms-{task}.png";

    /// <summary>The mode as Keras (or, for the adaptive ones, Strata) spells the option ("none" without clipping).</summary>
    public static string Name(ClipMode mode) => mode switch
    {
        ClipMode.ClipValue => "clipValue",
        ClipMode.ClipNorm => "clipNorm",
        ClipMode.GlobalClipNorm => "globalClipNorm",
        ClipMode.Agc => "agc",
        ClipMode.AutoClip => "autoClip",
        _ => "none",
    };

    /// <summary>Success rate per task and length (rows) and mode (columns), as "k/n".</summary>
    public static string SummaryTable(ClippingSettings s, IReadOnlyList<ClippingRun> runs) => SuccessTable(s, runs).ToString();

    /// <summary>The seeds that succeeded of every task, length and mode: task, then length, then mode.</summary>
    public static IReadOnlyList<ClippingSuccess> Successes(ClippingSettings s, IReadOnlyList<ClippingRun> runs) =>
        (from task in ClippingSettings.Tasks
         from length in s.Lengths
         from mode in ClippingSettings.Modes
         let these = Select(runs, task.Name, length, mode)
         select new ClippingSuccess(task.Name, length, mode, these.Count(r => r.Succeeded), these.Count)).ToList();

    private static TextTable SuccessTable(ClippingSettings s, IReadOnlyList<ClippingRun> runs)
    {
        var table = new TextTable(["task", "length", .. ClippingSettings.Modes.Select(m => $"{Name(m)} success")]);
        foreach (var row in Successes(s, runs).Chunk(ClippingSettings.Modes.Count))
            table.Add([row[0].Task, I(row[0].Length), .. row.Select(c => $"{c.Succeeded}/{c.Runs}")]);
        return table;
    }

    private static List<ClippingRun> Select(IReadOnlyList<ClippingRun> runs, string task, int length, ClipMode mode) =>
        runs.Where(r => r.Spec.Task == task && r.Spec.Length == length && r.Spec.Mode == mode).ToList();

    /// <summary>Writes every file; the charts are left out, with a warning, on a machine without fonts.</summary>
    public static ExperimentReport Write(string directory, ClippingResult result)
    {
        Directory.CreateDirectory(directory);
        var files = WriteCsvs(directory, result.Runs).ToList();
        string? warning = Plots.TryDraw(() => files.AddRange(Plots.Save(directory, Charts(result.Settings, result.Runs))));
        string report = Path.Combine(directory, ReportFile);
        File.WriteAllText(report, Markdown(result.Settings, result.Runs, result.Seconds, warning));
        return new ExperimentReport(directory, [report, .. files], warning);
    }

    /// <summary>The largest norm in each of at most <see cref="TracePoints"/> equal windows, at the window's last step.</summary>
    public static (double[] Steps, double[] Norms) Downsample(double[] norms)
    {
        int window = Math.Max(1, (norms.Length + TracePoints - 1) / TracePoints);
        var steps = new List<double>();
        var maxima = new List<double>();
        for (int start = 0; start < norms.Length; start += window)
        {
            int end = Math.Min(norms.Length, start + window);
            double max = 0;
            for (int i = start; i < end; i++) max = double.IsFinite(norms[i]) ? Math.Max(max, norms[i]) : double.PositiveInfinity;
            steps.Add(end);
            maxima.Add(max);
        }
        return (steps.ToArray(), maxima.ToArray());
    }

    private static IEnumerable<string> WriteCsvs(string directory, IReadOnlyList<ClippingRun> runs)
    {
        var summary = new Csv("task", "length", "mode", "seed", "steps", "succeeded", "steps_to_success", "final_error_rate",
            "exploded_fraction", "nonfinite_steps", "median_norm", "max_norm", "seconds");
        var evaluations = new Csv("task", "length", "mode", "seed", "step", "error_rate", "loss");
        var norms = new Csv("task", "length", "mode", "seed", "step", "max_norm_in_window");
        foreach (var run in runs)
        {
            var p = run.Spec;
            summary.Row(p.Task, p.Length, Name(p.Mode), p.Seed, run.GradientNorms.Length, run.Succeeded, run.StepsToSuccess, run.FinalErrorRate,
                run.ExplodedFraction, run.NonFiniteSteps, run.MedianNorm, run.MaxNorm, Math.Round(run.Seconds, 2));
            foreach (var e in run.Evaluations) evaluations.Row(p.Task, p.Length, Name(p.Mode), p.Seed, e.Step, e.ErrorRate, e.Loss);
            if (p.Seed == 0)
            {
                var (steps, maxima) = Downsample(run.GradientNorms);
                for (int i = 0; i < steps.Length; i++) norms.Row(p.Task, p.Length, Name(p.Mode), p.Seed, (int)steps[i], maxima[i]);
            }
        }
        return [summary.Save(Path.Combine(directory, RunsFile)), evaluations.Save(Path.Combine(directory, EvaluationsFile)),
            norms.Save(Path.Combine(directory, NormsFile))];
    }

    /// <summary>
    /// Per task: success rate, final error rate and exploded fraction by length and mode (bars), and the seed-0
    /// gradient-norm traces of the length where they differ most, with the clipping threshold.
    /// </summary>
    /// <exception cref="PlotUnavailableException">The machine has no fonts to draw text with.</exception>
    public static IReadOnlyList<Chart> Charts(ClippingSettings s, IReadOnlyList<ClippingRun> runs)
    {
        var charts = new List<Chart>();
        var lengths = s.Lengths.Select(I).ToList();
        var modes = ClippingSettings.Modes.Select(Name).ToList();
        foreach (var task in ClippingSettings.Tasks)
        {
            double[][] Values(Func<List<ClippingRun>, double> f) => ClippingSettings.Modes
                .Select(m => s.Lengths.Select(l => f(Select(runs, task.Name, l, m))).ToArray()).ToArray();
            charts.Add(Plots.Fractions(SuccessChart(task.Name),
                $"{task.Name}: success rate ({s.Seeds} seeds, ≤ {s.MaxSteps} steps)",
                "sequence length T", "success rate", lengths, modes, Values(rs => rs.Count(r => r.Succeeded) / (double)rs.Count)));
            charts.Add(Plots.Fractions(ErrorChart(task.Name),
                $"{task.Name}: final error rate (mean of {s.Seeds} seeds)",
                "sequence length T", "fraction wrong", lengths, modes, Values(rs => rs.Average(r => r.FinalErrorRate))));
            charts.Add(Plots.Fractions(ExplodedChart(task.Name),
                $"{task.Name}: steps with ‖g‖ > {G(s.ExplosionNorm)} before clipping (mean of seeds)",
                "sequence length T", "fraction of steps", lengths, modes, Values(rs => rs.Average(r => r.ExplodedFraction))));
            int traced = TracedLength(s, runs, task.Name);
            var traces = ClippingSettings.Modes.Select(m =>
            {
                var run = Select(runs, task.Name, traced, m).First(r => r.Spec.Seed == 0);
                var (steps, maxima) = Downsample(run.GradientNorms);
                return new Series(Name(m), steps, maxima);
            }).ToList();
            charts.Add(Plots.Lines(TraceChart(task.Name),
                $"{task.Name}, T = {traced}, seed 0: global gradient norm before clipping", "step", "‖g‖₂ (largest in each window)", traces,
                logY: true, threshold: new Threshold($"threshold {G(s.Threshold)}", s.Threshold)));
        }
        return charts;
    }

    /// <summary>Every chart <see cref="Charts"/> makes, for <see cref="ChartCatalog"/>.</summary>
    public static IReadOnlyList<string> ChartFiles { get; } = ClippingSettings.Tasks
        .SelectMany(t => new[] { SuccessChart(t.Name), ErrorChart(t.Name), ExplodedChart(t.Name), TraceChart(t.Name) }).ToArray();

    /// <summary>The length whose seed-0 runs saw the largest gradient norm: where the modes' traces differ most.</summary>
    public static int TracedLength(ClippingSettings s, IReadOnlyList<ClippingRun> runs, string task) =>
        s.Lengths.MaxBy(l => runs.Where(r => r.Spec.Task == task && r.Spec.Length == l && r.Spec.Seed == 0).Max(r => r.MaxNorm));

    private static string Markdown(ClippingSettings s, IReadOnlyList<ClippingRun> runs, double seconds, string? warning)
    {
        var md = new StringBuilder();
        md.Append("# Gradient clipping on recurrent networks (Pascanu, Mikolov & Bengio 2013, §4.1)\n\n");
        if (s.Caveat is { } caveat) md.Append("> ").Append(caveat).Append("\n\n");
        md.Append(CultureInfo.InvariantCulture, $"Model: SimpleRnn({s.Units}, tanh) over the sequence, Dense read-out at the last step (linear + MSE for adding, softmax + cross-entropy for temporal order). ");
        md.Append(CultureInfo.InvariantCulture, $"Initialization: input and output kernels N(0, {G(s.InputStddev)}²), recurrent kernel N(0, {G(s.RecurrentStddev)}²), biases 0.\n");
        md.Append(CultureInfo.InvariantCulture, $"Training: SGD, learning rate {G(s.LearningRate)}, no momentum, batch {s.BatchSize}, a fresh batch every step, at most {s.MaxSteps} steps; ");
        md.Append(CultureInfo.InvariantCulture, $"every {s.EvaluateEvery} steps the model is evaluated on {s.EvaluationCount} fresh sequences (the same ones for every mode of a seed) and stops once it succeeds.\n");
        md.Append(CultureInfo.InvariantCulture, $"Clipping threshold {G(s.Threshold)} for every fixed mode (the paper's): clipValue clamps each gradient element to [−{G(s.Threshold)}, {G(s.Threshold)}], clipNorm rescales each weight tensor's gradient to norm ≤ {G(s.Threshold)}, globalClipNorm all of them together.\n");
        md.Append(CultureInfo.InvariantCulture, $"Adaptive modes: agc (Brock et al. 2021) rescales each unit's gradient (a kernel column, a bias element) to norm ≤ {G(s.Agc)}·max(‖W_i‖, 10⁻³), the read-out layer excluded as the paper does; autoClip (Seetharaman et al. 2020) rescales all gradients together to the {G(s.AutoClipPercentile)}th percentile of the global norms of every step so far. The threshold line on the traces is the fixed modes'.\n");
        md.Append(CultureInfo.InvariantCulture, $"Seeds: {s.Seeds} per task, length and mode (the modes of one seed share initial weights and data). Lengths: {string.Join(", ", s.Lengths)}. Total time {seconds:F0} s.\n\n");
        md.Append("**Success** (the paper's criterion): fewer than 1% of the fresh sequences wrong — for adding, a squared error above 0.04 is wrong; for temporal order, a wrong most-probable class.\n");
        md.Append(CultureInfo.InvariantCulture, $"**Exploded step**: a step whose global gradient norm before clipping was above {G(s.ExplosionNorm)} ({G(s.ExplosionNorm / s.Threshold)}× the clipping threshold) or not finite.\n\n");
        md.Append("## Success rate\n\n").Append(SuccessTable(s, runs).ToMarkdown()).Append('\n');
        foreach (var task in ClippingSettings.Tasks) md.Append(Figure(SuccessChart(task.Name), $"{task.Name} success rate", warning));
        md.Append("## Final error rate\n\n");
        md.Append("The fraction of the fresh sequences still wrong when the run ended (at success or after the last step), mean over seeds: a graded view of how far each mode got.\n\n");
        var errors = new TextTable(["task", "length", .. ClippingSettings.Modes.Select(Name)]);
        foreach (var task in ClippingSettings.Tasks)
            foreach (int length in s.Lengths)
                errors.Add([task.Name, I(length), .. ClippingSettings.Modes.Select(m => Select(runs, task.Name, length, m).Average(r => r.FinalErrorRate).ToString("P1", CultureInfo.InvariantCulture))]);
        md.Append(errors.ToMarkdown()).Append('\n');
        foreach (var task in ClippingSettings.Tasks) md.Append(Figure(ErrorChart(task.Name), $"{task.Name} final error rate", warning));

        md.Append("## Gradient norms\n\n");
        var table = new TextTable("task", "length", "mode", "median ‖g‖", "max ‖g‖", "exploded steps", "non-finite steps", "mean steps to success");
        foreach (var task in ClippingSettings.Tasks)
            foreach (int length in s.Lengths)
                foreach (var mode in ClippingSettings.Modes)
                {
                    var these = Select(runs, task.Name, length, mode);
                    var solved = these.Where(r => r.Succeeded).ToList();
                    table.Add(task.Name, I(length), Name(mode),
                        these.Average(r => r.MedianNorm).ToString("G3", CultureInfo.InvariantCulture),
                        these.Max(r => r.MaxNorm).ToString("G3", CultureInfo.InvariantCulture),
                        these.Average(r => r.ExplodedFraction).ToString("P1", CultureInfo.InvariantCulture),
                        I(these.Sum(r => r.NonFiniteSteps)),
                        solved.Count == 0 ? "-" : solved.Average(r => r.StepsToSuccess!.Value).ToString("F0", CultureInfo.InvariantCulture));
                }
        md.Append("Median and exploded fraction are means over seeds; max is over all seeds' steps.\n\n").Append(table.ToMarkdown()).Append('\n');
        foreach (var task in ClippingSettings.Tasks)
        {
            md.Append(Figure(ExplodedChart(task.Name), $"{task.Name} exploded steps", warning));
            md.Append(CultureInfo.InvariantCulture, $"The trace below is of T = {TracedLength(s, runs, task.Name)}, the length whose seed-0 runs saw the largest norm; the other traces are in `{NormsFile}`.\n\n");
            md.Append(Figure(TraceChart(task.Name), $"{task.Name} gradient-norm trace", warning));
        }
        md.Append("## Files\n\n");
        md.Append($"- `{RunsFile}`: one row per run (success, steps to success, final error rate, exploded fraction, norms, seconds).\n");
        md.Append($"- `{EvaluationsFile}`: every evaluation of every run.\n");
        md.Append($"- `{NormsFile}`: seed 0's gradient norm before clipping, the largest in each window of steps (at most {TracePoints} points per run).\n");
        return md.ToString();
    }
}
