using Strata.Experiments;
using Strata.Tests.Experiments.Reporting;

namespace Strata.Tests.Experiments;

/// <summary>The clipping experiment run from code, as a user would: <c>ClippingExperiment.Run</c> on tiny settings.</summary>
public sealed class ClippingExperimentTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("strata-clip-run-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static readonly Lazy<(ClippingResult Result, List<ExperimentProgress<ClippingRun>> Reported)> s_run = new(() =>
    {
        var reported = new List<ExperimentProgress<ClippingRun>>();
        return (ClippingExperiment.Run(TinyExperiments.Clipping, new ListProgress<ExperimentProgress<ClippingRun>>(reported)), reported);
    });

    [Fact]
    public void Run_returns_every_planned_run_and_the_success_table()
    {
        var (result, reported) = s_run.Value;
        var plan = ClippingExperiment.Plan(TinyExperiments.Clipping);

        Assert.Equal(12, plan.Count); // two tasks × one length × six modes × one seed
        Assert.Equal(plan, result.Runs.Select(r => r.Spec));
        Assert.Equal(Enumerable.Range(1, plan.Count), reported.Select(p => p.Done));
        Assert.All(result.Runs, r => Assert.Equal([10, 20, 30], r.Evaluations.Select(e => e.Step)));
        Assert.All(result.Runs, r => Assert.Equal(30, r.GradientNorms.Length));
        Assert.Equal(plan.Select(p => (p.Task, p.Length, p.Mode)), result.Successes.Select(c => (c.Task, c.Length, c.Mode)));
        Assert.All(result.Successes, c => Assert.Equal(1, c.Runs));
        Assert.Equal(result.Runs.Select(r => r.Succeeded ? 1 : 0), result.Successes.Select(c => c.Succeeded));
        // In 30 steps the adaptive modes do not get there: AGC caps each unit's step at η·λ of its weights, and AutoClip's
        // 10th percentile of a short history clips most steps.
        Assert.Matches(@"temporal-order\s+6\s+1/1\s+1/1\s+1/1\s+1/1\s+0/1\s+0/1", result.SummaryTable());
    }

    /// <summary>
    /// Every run's last evaluation and summed gradient norms, recorded when the experiment moved into
    /// Strata.Experiments (the agc and autoClip rows when those modes were added): a change to how it trains or
    /// measures shows here (error rates over 20 sequences are exact).
    /// </summary>
    [Fact]
    public void Run_keeps_its_numbers()
    {
        (double ErrorRate, double Loss, double NormSum)[] expected =
        [
            (0.4, 0.03647380694746971, 10.422096777707338),
            (0.4, 0.03635232523083687, 10.56783926486969),
            (0.4, 0.03634161129593849, 10.57702523842454),
            (0.4, 0.036432549357414246, 11.453083988279104),
            (0.4, 0.03599654510617256, 11.633722007274628),
            (0.4, 0.038554832339286804, 9.282701279968023),
            (0, 0.38347989320755005, 19.788314282894135),
            (0, 0.38347989320755005, 19.788314282894135),
            (0, 0.38347989320755005, 19.788314282894135),
            (0, 0.38467276096343994, 19.794521689414978),
            (0.2, 1.0312068462371826, 17.075571298599243),
            (0.2, 1.0192177295684814, 17.010026067495346),
        ];
        var runs = s_run.Value.Result.Runs;
        for (int i = 0; i < expected.Length; i++)
        {
            var (errorRate, loss, normSum) = expected[i];
            Assert.Equal(errorRate, runs[i].FinalErrorRate, 1e-12);
            Assert.Equal(loss, runs[i].Evaluations[^1].Loss, 1e-4 * loss);
            Assert.Equal(normSum, runs[i].GradientNorms.Sum(), 1e-4 * normSum);
            Assert.Equal(0, runs[i].NonFiniteSteps);
        }
    }

    [Fact]
    public void WriteReport_writes_the_report_the_csvs_and_the_charts()
    {
        var result = s_run.Value.Result;
        string folder = Path.Combine(_root, "report");

        var report = result.WriteReport(folder);

        string markdown = File.ReadAllText(report.ReportFile);
        Assert.Contains("# Gradient clipping on recurrent networks", markdown, StringComparison.Ordinal);
        ReportAssert.AssertCsv(Path.Combine(folder, ClippingReport.RunsFile),
            "task,length,mode,seed,steps,succeeded,steps_to_success,final_error_rate,exploded_fraction,nonfinite_steps,median_norm,max_norm,seconds", result.Runs.Count);
        ReportAssert.AssertCsv(Path.Combine(folder, ClippingReport.EvaluationsFile), "task,length,mode,seed,step,error_rate,loss", 3 * result.Runs.Count);
        foreach (string chart in ClippingReport.ChartFiles) ReportAssert.AssertChart(folder, chart, markdown, report.ChartWarning);
        Assert.Equal(Directory.GetFiles(folder).Order(), report.Files.Order());
    }
}
