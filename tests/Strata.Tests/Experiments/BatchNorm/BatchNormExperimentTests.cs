using Strata.Experiments;
using Strata.Tests.Experiments.Reporting;

namespace Strata.Tests.Experiments;

/// <summary>The batchnorm experiment run from code, as a user would: <c>BatchNormExperiment.Run</c> on tiny settings.</summary>
public sealed class BatchNormExperimentTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("strata-bn-run-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static readonly Lazy<(BatchNormResult Result, List<ExperimentProgress<BatchNormRun>> Reported)> s_run = new(() =>
    {
        var (train, test) = TinyExperiments.FashionMnist();
        var reported = new List<ExperimentProgress<BatchNormRun>>();
        var result = BatchNormExperiment.Run(TinyExperiments.BatchNorm, train, test, new ListProgress<ExperimentProgress<BatchNormRun>>(reported));
        return (result, reported);
    });

    [Fact]
    public void Run_returns_every_planned_run_with_its_evaluations_and_the_comparison()
    {
        var (result, reported) = s_run.Value;
        var plan = BatchNormExperiment.Plan(TinyExperiments.BatchNorm);

        Assert.Equal(plan, result.Runs.Select(r => r.Spec));
        Assert.Equal(Enumerable.Range(1, plan.Count), reported.Select(p => p.Done));
        Assert.All(reported, p => Assert.Equal(plan.Count, p.Total));
        Assert.Equal(result.Runs, reported.Select(p => p.Run));
        // Step 0, every EvaluateEvery steps, and the last step of a budget that is not a multiple of it.
        Assert.All(result.Runs.Where(r => r.Spec.Group == "main"), r => Assert.Equal([0, 4, 8, 12], r.Checkpoints.Select(c => c.Step)));
        Assert.All(result.Runs.Where(r => r.Spec.Group != "main"), r => Assert.Equal([0, 4, 6], r.Checkpoints.Select(c => c.Step)));
        var comparison = Assert.Single(result.Comparisons); // one main learning rate, one seed
        Assert.Equal((0.5f, 0), (comparison.LearningRate, comparison.Seed));
        Assert.Equal((240, 40), (result.TrainCount, result.TestCount));
        Assert.Contains("BN steps to plain best", result.SummaryTable(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bn_runs_measure_their_accuracy_with_recalibrated_statistics_too()
    {
        var runs = s_run.Value.Result.Runs;
        Assert.All(runs.Where(r => !r.Spec.BatchNorm).SelectMany(r => r.Checkpoints), c => Assert.True(double.IsNaN(c.RecalibratedAccuracy)));
        Assert.All(runs.Where(r => r.Spec.BatchNorm).SelectMany(r => r.Checkpoints), c => Assert.InRange(c.RecalibratedAccuracy, 0, 1));
        // After 12 steps at momentum 0.99 the moving statistics are still 89 % their initial 0 and 1: recalibrated ones do better.
        var main = runs.Single(r => r.Spec.Group == "main" && r.Spec.BatchNorm).Checkpoints[^1];
        Assert.True(main.RecalibratedAccuracy > main.TestAccuracy, $"moving {main.TestAccuracy}, recalibrated {main.RecalibratedAccuracy}");
        Assert.Contains("recalibrated", s_run.Value.Result.SummaryTable(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The last evaluation of every run, recorded when the runs moved from a hand-written step counter to Fit's step
    /// budget and <see cref="EvaluateEvery"/> (the numbers were bit-identical before and after): a change to how the
    /// experiment trains or measures shows here. Accuracies on 40 images are exact; losses and percentiles get a
    /// little room for another machine's vector width.
    /// </summary>
    [Fact]
    public void Run_keeps_its_numbers()
    {
        (string Group, bool Bn, double Accuracy, double Loss, double P50)[] expected =
        [
            ("main", false, 0.1, 2.44191312789917, -0.5741226077079773),
            ("main", true, 0.1, 2.3638010025024414, -0.3470533639192581),
            ("learning-rate", false, 0.1, 2.6859021186828613, -14.522989273071289),
            ("learning-rate", true, 0.3, 3.4604601860046387, -4.600381135940552),
            ("activation", false, 0.9, 1.345837116241455, 0.0430446183308959),
            ("activation", true, 1, 1.0129070281982422, 0.007697302848100662),
            ("init-scale", false, 0.825, 0.5088099241256714, -11.70041799545288),
            ("init-scale", true, 0.175, 4.4449028968811035, -8.82139778137207),
        ];
        var runs = s_run.Value.Result.Runs;
        Assert.Equal(expected.Length, runs.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            var (group, bn, accuracy, loss, p50) = expected[i];
            var last = runs[i].Checkpoints[^1];
            Assert.Equal((group, bn), (runs[i].Spec.Group, runs[i].Spec.BatchNorm));
            Assert.Equal(accuracy, last.TestAccuracy, 1e-12);
            Assert.Equal(loss, last.TestLoss, 1e-4 * Math.Abs(loss));
            Assert.Equal(p50, last.P50, 1e-4 * Math.Abs(p50) + 1e-6);
            Assert.Equal(0, runs[i].SkippedSteps);
        }
    }

    [Fact]
    public void WriteReport_writes_the_report_the_csvs_and_the_charts()
    {
        var result = s_run.Value.Result;
        string folder = Path.Combine(_root, "report");

        var report = result.WriteReport(folder, dataSource: "tiny-fashion");

        Assert.Equal(Path.Combine(folder, "report.md"), report.ReportFile);
        string markdown = File.ReadAllText(report.ReportFile);
        Assert.Contains("Data: `tiny-fashion` (240 training images; test accuracy on the first 40 test images)", markdown, StringComparison.Ordinal);
        ReportAssert.AssertCsv(Path.Combine(folder, BatchNormReport.RunsFile),
            "group,network,activation,learning_rate,init_stddev,seed,steps,final_accuracy,best_accuracy,skipped_steps,first_nonfinite_step,failed,seconds", result.Runs.Count);
        Assert.Equal(result.Runs.Sum(r => r.Checkpoints.Count), File.ReadAllLines(Path.Combine(folder, BatchNormReport.CurvesFile)).Length - 1);
        foreach (string chart in BatchNormReport.ChartFiles) ReportAssert.AssertChart(folder, chart, markdown, report.ChartWarning);
        Assert.Equal(Directory.GetFiles(folder).Order(), report.Files.Order());
        Assert.Equal(3 + (report.ChartWarning is null ? BatchNormReport.ChartFiles.Count : 0), report.Files.Count);
    }
}
