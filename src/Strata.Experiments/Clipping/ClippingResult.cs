namespace Strata.Experiments;

/// <summary>
/// What <see cref="ClippingExperiment.Run"/> measured: every run, the success table the report leads with, and the
/// report itself on demand, so that a program or a test reads the numbers without parsing the report's files.
/// </summary>
public sealed class ClippingResult
{
    internal ClippingResult(ClippingSettings settings, IReadOnlyList<ClippingRun> runs, double seconds)
    {
        Settings = settings;
        Runs = runs;
        Seconds = seconds;
        Successes = ClippingReport.Successes(settings, runs);
    }

    public ClippingSettings Settings { get; }

    /// <summary>Every run, in the order of <see cref="ClippingExperiment.Plan"/>.</summary>
    public IReadOnlyList<ClippingRun> Runs { get; }

    /// <summary>The success rate of every task, length and mode, in the report's order (task, then length, then mode).</summary>
    public IReadOnlyList<ClippingSuccess> Successes { get; }

    /// <summary>How long the runs took in all.</summary>
    public double Seconds { get; }

    /// <summary>The success table <c>strata experiment clipping</c> prints.</summary>
    public string SummaryTable() => ClippingReport.SummaryTable(Settings, Runs);

    /// <summary>
    /// Writes report.md, runs.csv, evaluations.csv, gradient-norms.csv and the PNG charts into
    /// <paramref name="directory"/> (created if needed).
    /// </summary>
    public ExperimentReport WriteReport(string directory) => ClippingReport.Write(directory, this);
}
