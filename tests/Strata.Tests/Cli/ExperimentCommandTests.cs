using System.Globalization;
using Strata.Experiments;
using Strata.Tests.Experiments.Reporting;

namespace Strata.Tests.Cli;

/// <summary>
/// Runs <c>strata experiment ... --quick</c> in-process on tiny settings and checks the folder it writes: the
/// report, the CSV files (header and row count) and the PNG charts (signature, size). The scientific outcome is
/// not asserted: a few hundred steps on synthetic data cannot show it.
/// </summary>
public sealed class ExperimentCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("strata-experiment-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A folder under the test's root holding <see cref="CliHarness.WriteTinyFashionMnist"/>'s 240 training and 60 test images.</summary>
    private string TinyFashionMnist(string name)
    {
        string data = Path.Combine(_root, name);
        Directory.CreateDirectory(data);
        CliHarness.WriteTinyFashionMnist(data, trainCount: 240, testCount: 60);
        return data;
    }

    [Fact]
    public void BatchNorm_Quick_WritesReportCsvsAndCharts()
    {
        string data = TinyFashionMnist("fashion-mnist");
        string output = Path.Combine(_root, "bn");

        var run = CliHarness.Run("experiment", "batchnorm", "--quick", "--data", data, "--output", output);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("", run.Stderr);
        var settings = BatchNormSettings.Quick(seeds: 1);
        var plan = BatchNormExperiment.Plan(settings);
        Assert.Contains($"[{plan.Count}/{plan.Count}]", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("BN steps to plain best", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"report written to {Path.Combine(output, "report.md")}", run.Stdout, StringComparison.Ordinal);

        string report = File.ReadAllText(Path.Combine(output, BatchNormReport.ReportFile));
        Assert.Contains("# Batch normalization on Fashion-MNIST", report, StringComparison.Ordinal);
        Assert.Contains("## Learning-rate sweep", report, StringComparison.Ordinal);
        Assert.Contains("## Moving statistics against recalibrated ones", report, StringComparison.Ordinal);
        foreach (string chart in new[] { BatchNormReport.AccuracyChart, BatchNormReport.PlainInputChart, BatchNormReport.BnInputChart,
                     BatchNormReport.LearningRateChart, BatchNormReport.InitScaleChart, BatchNormReport.ActivationChart })
        {
            ReportAssert.AssertChart(output, chart, report, run.Stdout);
        }

        // One row per evaluation: step 0 and every EvaluateEvery steps of each run.
        int evaluations = plan.Sum(p => p.Steps / p.EvaluateEvery + 1);
        var curves = ReportAssert.AssertCsv(Path.Combine(output, BatchNormReport.CurvesFile),
            "group,network,activation,learning_rate,init_stddev,seed,step,test_accuracy,test_loss,input_p15,input_p50,input_p85,input_batch_p15,input_batch_p50,input_batch_p85,recalibrated_accuracy",
            evaluations);
        Assert.All(curves, row => Assert.InRange(double.Parse(row[7], CultureInfo.InvariantCulture), 0, 1));
        // The probe's percentiles are ordered; the batch-statistics view exists only with BN.
        Assert.All(curves, row => Assert.True(double.Parse(row[9], CultureInfo.InvariantCulture) <= double.Parse(row[10], CultureInfo.InvariantCulture)
            && double.Parse(row[10], CultureInfo.InvariantCulture) <= double.Parse(row[11], CultureInfo.InvariantCulture), string.Join(',', row)));
        Assert.All(curves, row => Assert.Equal(row[1] == "BN", row[12].Length > 0));
        Assert.All(curves, row => Assert.Equal(row[1] == "BN", row[15].Length > 0));
        Assert.Equal(plan.Count(p => p.Group == "main") * (settings.Steps / settings.EvaluateEvery + 1), curves.Count(r => r[0] == "main"));
        var runs = ReportAssert.AssertCsv(Path.Combine(output, BatchNormReport.RunsFile),
            "group,network,activation,learning_rate,init_stddev,seed,steps,final_accuracy,best_accuracy,skipped_steps,first_nonfinite_step,failed,seconds", plan.Count);
        Assert.Equal(plan.Count(p => p.BatchNorm), runs.Count(r => r[1] == "BN"));
    }

    [Fact]
    public void Residual_WritesReportCsvsAndCharts_AtTheGivenDepthAndSteps()
    {
        string data = TinyFashionMnist("fashion-mnist-residual");
        string output = Path.Combine(_root, "residual");

        var run = CliHarness.Run("experiment", "residual", "--quick", "--blocks", "2", "--steps", "4", "--data", data, "--output", output);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("", run.Stderr);
        Assert.Contains("3 runs of 2 blocks, 4 steps each", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("[3/3] Fixup", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("This is the --quick run", run.Stdout, StringComparison.Ordinal);
        string report = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains("2 basic residual blocks", report, StringComparison.Ordinal);
        foreach (string chart in ResidualReport.ChartFiles) ReportAssert.AssertChart(output, chart, report, run.Stdout);
        // Steps 0 and 4 of each run; two blocks per run.
        ReportAssert.AssertCsv(Path.Combine(output, ResidualReport.CurvesFile), "variant,seed,step,test_accuracy,test_loss", 3 * 2);
        ReportAssert.AssertCsv(Path.Combine(output, ResidualReport.BlockGradientsFile), "variant,seed,block,gradient_norm", 3 * 2);
    }

    [Fact]
    public void Transfer_WritesReportCsvAndChart_ForTheGivenImagesAndSeeds()
    {
        string data = TinyFashionMnist("fashion-mnist-transfer");
        string output = Path.Combine(_root, "transfer");

        var run = CliHarness.Run("experiment", "transfer", "--quick", "--seeds", "2", "--target-images", "20", "--learning-rate", "0.05", "--data", data, "--output", output);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("", run.Stderr);
        Assert.Contains("2 models A (3 epochs), then 8 models B on 20 images each", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("[8/8] BN, reused", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("This is the --quick run", run.Stdout, StringComparison.Ordinal);
        string report = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains("SGD at 0.05", report, StringComparison.Ordinal);
        Assert.Contains("shirt or sandal from 20 images", report, StringComparison.Ordinal);
        foreach (string chart in TransferReport.ChartFiles) ReportAssert.AssertChart(output, chart, report, run.Stdout);
        ReportAssert.AssertCsv(Path.Combine(output, TransferReport.RunsFile), "network,start,seed,test_error,test_loss,steps_on_cached_features,seconds", 8);
    }

    [Fact]
    public void Transfer_RefusesMoreTargetImagesThanTheDataHas()
    {
        string data = TinyFashionMnist("fashion-mnist-transfer-small");

        var run = CliHarness.Run("experiment", "transfer", "--quick", "--seeds", "1", "--data", data, "--output", Path.Combine(_root, "transfer-small"));

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("draws 200 sandal and shirt images for model B; the training data has 48", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Clipping_Quick_WritesReportCsvsAndCharts()
    {
        string output = Path.Combine(_root, "clip");
        const int Steps = 60;

        var run = CliHarness.Run("experiment", "clipping", "--quick", "--seeds", "1", "--max-steps", Steps.ToString(CultureInfo.InvariantCulture),
            "--agc", "0.1", "--auto-clip", "20", "--output", output);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("", run.Stderr);
        var settings = ClippingSettings.Quick(seeds: 1) with { MaxSteps = Steps };
        var plan = ClippingExperiment.Plan(settings);
        Assert.Equal(2 * settings.Lengths.Length * 6, plan.Count); // two tasks × lengths × six modes × one seed
        Assert.Contains($"[{plan.Count}/{plan.Count}]", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("globalClipNorm success", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("agc success  autoClip success", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"temporal-order\s+20\s+\d/1\s+\d/1\s+\d/1\s+\d/1\s+\d/1\s+\d/1", run.Stdout);
        Assert.Contains("This is the --quick run", run.Stdout, StringComparison.Ordinal);

        string report = File.ReadAllText(Path.Combine(output, ClippingReport.ReportFile));
        Assert.Contains("# Gradient clipping on recurrent networks", report, StringComparison.Ordinal);
        Assert.Contains("to norm ≤ 0.1·max(‖W_i‖, 10⁻³)", report, StringComparison.Ordinal);
        Assert.Contains("to the 20th percentile", report, StringComparison.Ordinal);
        foreach (var task in ClippingSettings.Tasks)
        {
            foreach (string chart in new[] { ClippingReport.SuccessChart(task.Name), ClippingReport.ErrorChart(task.Name),
                         ClippingReport.ExplodedChart(task.Name), ClippingReport.TraceChart(task.Name) })
            {
                ReportAssert.AssertChart(output, chart, report, run.Stdout);
            }
        }

        var runs = ReportAssert.AssertCsv(Path.Combine(output, ClippingReport.RunsFile),
            "task,length,mode,seed,steps,succeeded,steps_to_success,final_error_rate,exploded_fraction,nonfinite_steps,median_norm,max_norm,seconds", plan.Count);
        Assert.Equal(["agc", "autoClip", "clipNorm", "clipValue", "globalClipNorm", "none"], runs.Select(r => r[2]).Distinct().Order(StringComparer.Ordinal));
        Assert.All(runs, r => Assert.Equal(Steps.ToString(CultureInfo.InvariantCulture), r[4])); // the only evaluation is at the last step
        // One evaluation per run (at the last step), and seed 0's every step in the trace (fewer steps than TracePoints).
        ReportAssert.AssertCsv(Path.Combine(output, ClippingReport.EvaluationsFile), "task,length,mode,seed,step,error_rate,loss", plan.Count);
        var norms = ReportAssert.AssertCsv(Path.Combine(output, ClippingReport.NormsFile), "task,length,mode,seed,step,max_norm_in_window", plan.Count * Steps);
        Assert.All(norms, r => Assert.True(double.Parse(r[5], CultureInfo.InvariantCulture) >= 0));
    }

    [Fact]
    public void Clipping_BadLengths_FailWithOneLine()
    {
        var run = CliHarness.Run("experiment", "clipping", "--lengths", "10,x");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--lengths takes whole numbers from 4 to 100000, comma-separated; got '10,x'.", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Clipping_LengthsBeyondTheMemoryBudget_AreRefusedBeforeTheRunsStart()
    {
        // --lengths 100000 once grew to 24 GB before it was killed.
        string output = Path.Combine(_root, "too-long");
        var run = CliHarness.Run("experiment", "clipping", "--lengths", "100000", "--output", output);
        Assert.Equal(1, run.ExitCode);
        CliHarness.AssertOneErrorLine(run.Stderr);
        Assert.Contains("the clipping experiment with --lengths up to 100000, 3 seeds and --max-steps 20000 (estimated) would need", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("raise it with --max-memory", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Clipping_MemoryEstimate_GrowsWithTheLengthsAndKeepsTheFullRunSmall()
    {
        var full = ClippingSettings.Full(seeds: 3);
        Assert.InRange(full.EstimatedBytes(), 1 << 20, 64 << 20);
        long longer = (full with { Lengths = [10, 20, 30, 500] }).EstimatedBytes();
        long longest = (full with { Lengths = [ClippingSettings.MaxLength] }).EstimatedBytes();
        Assert.True(full.EstimatedBytes() < longer && longer < longest, $"{full.EstimatedBytes()} {longer} {longest}");
        Assert.True(longest > Strata.Data.MemoryBudget.DefaultBytes, $"{longest}");
        // Every step's norm of every run is kept: a million steps for 100 seeds alone exceeds the default budget.
        Assert.True((full with { Seeds = 100, MaxSteps = ClippingSettings.MaxMaxSteps }).EstimatedBytes() > Strata.Data.MemoryBudget.DefaultBytes);
    }

    [Fact]
    public void Experiment_UnknownOrBadOptions_FailWithOneLine()
    {
        var run = CliHarness.Run("experiment", "dropout");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("'dropout'", run.Stderr, StringComparison.Ordinal);
        run = CliHarness.Run("experiment", "batchnorm", "--seeds", "0");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--seeds must be from 1 to 100; got 0.", run.Stderr, StringComparison.Ordinal);
        run = CliHarness.Run("experiment", "batchnorm", "--quick", "--data", Path.Combine(_root, "nowhere"), "--output", Path.Combine(_root, "x"));
        Assert.Equal(1, run.ExitCode);
        CliHarness.AssertOneErrorLine(run.Stderr);
    }
}
