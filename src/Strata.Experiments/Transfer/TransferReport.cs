using System.Globalization;
using System.Text;
using Strata.Experiments.Reporting;
using static Strata.Experiments.Reporting.ReportFormat;

namespace Strata.Experiments;

/// <summary>Writes the transfer experiment's folder: report.md, runs.csv and the chart of the error rates.</summary>
internal static class TransferReport
{
    public const string RunsFile = "runs.csv";
    public const string ErrorChart = "transfer-error-rates.png";

    /// <summary>Every chart <see cref="Charts"/> makes, for <see cref="ChartCatalog"/>.</summary>
    public static IReadOnlyList<string> ChartFiles { get; } = [ErrorChart];

    // Without, then with: BatchNormalization for the networks, reuse for the starts.
    private static readonly bool[] s_withoutThenWith = [false, true];

    /// <summary>One row per network and start: the error rates' median and spread, and the comparison.</summary>
    public static TextTable SummaryTable(TransferResult result)
    {
        var table = new TextTable("network", "model A accuracy", "start", "seeds", "median error", "quartiles", "min–max", "scratch ÷ reused (medians)", "reused better");
        foreach (bool bn in s_withoutThenWith)
        {
            var comparison = result.Comparison(bn);
            double sourceAccuracy = result.Sources.Single(s => s.BatchNorm == bn).TestAccuracy;
            foreach (bool reused in s_withoutThenWith)
            {
                var errors = reused ? comparison.ReusedErrors : comparison.ScratchErrors;
                table.Add(bn ? "BN" : "no BN", reused ? F4(sourceAccuracy) : "", reused ? "reused" : "scratch", I(errors.Count), Percent(Percentiles.Of(errors, 50)),
                    $"{Percent(Percentiles.Of(errors, 25))}–{Percent(Percentiles.Of(errors, 75))}", $"{Percent(errors.Min())}–{Percent(errors.Max())}",
                    reused ? Ratio(comparison.MedianRatio) : "", reused ? $"{comparison.ReusedWins * 100:F0}% of seeds" : "");
            }
        }
        return table;
    }

    private static string Percent(double error) => (error * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";

    private static string Ratio(double ratio) => double.IsFinite(ratio) ? ratio.ToString("F2", CultureInfo.InvariantCulture) + "×" : "∞ (no reused error)";

    /// <summary>Writes every file into <paramref name="directory"/>; the chart is left out, with a warning, on a machine without fonts.</summary>
    public static ExperimentReport Write(string directory, TransferResult result, string? dataSource)
    {
        Directory.CreateDirectory(directory);
        var runs = new Csv("network", "start", "seed", "test_error", "test_loss", "steps_on_cached_features", "seconds");
        foreach (var run in result.Runs)
            runs.Row(run.Spec.Network, run.Spec.Start, run.Spec.Seed, run.TestError, run.TestLoss, run.StepsOnCachedFeatures, Math.Round(run.Seconds, 2));
        var files = new List<string> { runs.Save(Path.Combine(directory, RunsFile)) };
        string? warning = Plots.TryDraw(() => files.AddRange(Plots.Save(directory, Charts(result))));
        string report = Path.Combine(directory, ExperimentReport.ReportFileName);
        File.WriteAllText(report, Markdown(result, dataSource, warning));
        return new ExperimentReport(directory, [report, .. files], warning);
    }

    /// <summary>Every seed's test error rate, one column per network and start, with the medians.</summary>
    /// <exception cref="PlotUnavailableException">The machine has no fonts to draw text with.</exception>
    public static IReadOnlyList<Chart> Charts(TransferResult result)
    {
        var s = result.Settings;
        var groups = s_withoutThenWith.SelectMany(bn => s_withoutThenWith.Select(reused => result.Of(bn, reused))).ToArray();
        return
        [
            Plots.Strips(ErrorChart, $"Shirt or sandal from {N(s.TargetCount)} images: test error of {s.Seeds} seeds (bar: median)",
                "model B", "test error rate", [.. groups.Select(g => g[0].Spec.Label)], [.. groups.Select(g => (IReadOnlyList<double>)[.. g.Select(r => r.TestError)])]),
        ];
    }

    private static string Markdown(TransferResult result, string? dataSource, string? chartWarning)
    {
        var s = result.Settings;
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# Reusing pretrained layers (Géron, ch. 11): shirt or sandal from {N(s.TargetCount)} images\n\n");
        if (s.Caveat is { } caveat) md.Append("> ").Append(caveat).Append("\n\n");
        string source = dataSource is null ? "Fashion-MNIST" : $"`{dataSource}`";
        md.Append(CultureInfo.InvariantCulture, $"Data: {source}. **Model A** learns the eight classes other than sandal and shirt from {N(result.SourceTrainCount)} training images, ");
        md.Append(CultureInfo.InvariantCulture, $"{s.SourceEpochs} epochs. **Model B** tells shirts (1) from sandals (0); each seed draws its own {N(s.TargetCount)} labelled training images, ");
        md.Append(CultureInfo.InvariantCulture, $"and every B is measured on all {N(result.TargetTestCount)} sandal and shirt test images.\n");
        md.Append("Network: Flatten, Dense 300, 100, 50, 50, 50 (SELU, LeCun-normal kernels), then Dense(8, softmax) for A or Dense(1, sigmoid) for B. ");
        md.Append("**BN**: the same with a BatchNormalization after Flatten and after every hidden Dense.\n");
        md.Append(CultureInfo.InvariantCulture, $"Training: SGD at {G(s.LearningRate)}, batch {s.BatchSize}, no momentum. B **from scratch**: {s.TargetEpochs} epochs. ");
        md.Append(CultureInfo.InvariantCulture, $"B **reused**: a copy of A's layers but its head (`Model.Clone`, so A is left as it is) and a new sigmoid head; the copied layers frozen for {s.FrozenEpochs} epochs ");
        md.Append(CultureInfo.InvariantCulture, $"(Fit trains the head on their cached outputs), then unfrozen by an `UnfreezingSchedule` at {G(s.FineTuneMultiplier)} times the rate for the remaining {s.TargetEpochs - s.FrozenEpochs}, ");
        md.Append("the head keeping the full rate (the texts lower both). A frozen BatchNormalization normalizes with A's moving statistics, and keeps them when unfrozen (only γ and β train).\n");
        md.Append(CultureInfo.InvariantCulture, $"Total time {result.Seconds:F0} s.\n\n");

        md.Append("## Outcome\n\n");
        md.Append("The texts' run: the error rate fell from 2.8% from scratch to 0.7% reused, \"divided by about 4\", after, as they admit, trying many configurations. ");
        md.Append(CultureInfo.InvariantCulture, $"Here the claim **holds** for a network when its median error from scratch is at least {TransferComparison.ClaimRatio:G}× its median error reused.\n\n");
        md.Append(SummaryTable(result).ToMarkdown()).Append('\n');
        foreach (bool bn in s_withoutThenWith) md.Append("- ").Append(Claim(result.Comparison(bn))).Append('\n');
        md.Append('\n');
        md.Append(Figure(ErrorChart, "Test error rate of every seed", chartWarning));
        md.Append("## Model A\n\n");
        foreach (var a in result.Sources)
            md.Append(CultureInfo.InvariantCulture, $"- {(a.BatchNorm ? "BN" : "no BN")}: test accuracy {F4(a.TestAccuracy)} on the eight classes, trained in {a.Seconds:F0} s.\n");
        md.Append('\n');
        md.Append("## Files\n\n");
        md.Append($"- `{RunsFile}`: one row per model B (network, start, seed, test error rate and loss, steps trained on cached features, seconds).\n");
        return md.ToString();
    }

    /// <summary>Whether the claim held for one network, in a sentence with the figures behind it.</summary>
    private static string Claim(TransferComparison c)
    {
        string network = c.BatchNorm ? "With BN" : "Without BN";
        string figures = string.Create(CultureInfo.InvariantCulture,
            $"median error {Percent(c.ScratchMedian)} from scratch and {Percent(c.ReusedMedian)} reused, a ratio of {Ratio(c.MedianRatio)}; the reused B was better with {c.ReusedWins * 100:F0}% of the seeds; the best single seed's ratio was {Ratio(c.BestSeedRatio)}");
        if (c.ClaimHolds) return $"**{network} the claim holds:** {figures}.";
        return c.MedianRatio > 1
            ? $"**{network} reuse helps, but less than the texts say:** {figures}."
            : $"**{network} reuse does not help here:** {figures}.";
    }
}
