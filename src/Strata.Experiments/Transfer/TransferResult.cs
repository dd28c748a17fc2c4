namespace Strata.Experiments;

/// <summary>
/// What <see cref="TransferExperiment.Run"/> measured: both models A, every model B, each network's comparison, and
/// the report on demand, so that a program or a test reads the numbers without parsing the report's files.
/// </summary>
public sealed class TransferResult
{
    internal TransferResult(TransferSettings settings, IReadOnlyList<TransferSource> sources, IReadOnlyList<TransferRun> runs,
        int sourceTrainCount, int targetTestCount, double seconds)
    {
        Settings = settings;
        Sources = sources;
        Runs = runs;
        SourceTrainCount = sourceTrainCount;
        TargetTestCount = targetTestCount;
        Seconds = seconds;
    }

    public TransferSettings Settings { get; }

    /// <summary>Model A without BN, then with it.</summary>
    public IReadOnlyList<TransferSource> Sources { get; }

    /// <summary>Every model B, in the order of <see cref="TransferExperiment.Plan"/>.</summary>
    public IReadOnlyList<TransferRun> Runs { get; }

    /// <summary>Images model A trained on.</summary>
    public int SourceTrainCount { get; }

    /// <summary>Sandal and shirt test images every model B was measured on.</summary>
    public int TargetTestCount { get; }

    /// <summary>How long everything took.</summary>
    public double Seconds { get; }

    /// <summary>The runs of one network and start, in seed order.</summary>
    public IReadOnlyList<TransferRun> Of(bool batchNorm, bool reused) => [.. Runs.Where(r => r.Spec.BatchNorm == batchNorm && r.Spec.Reused == reused)];

    /// <summary>Scratch against reused for one network.</summary>
    public TransferComparison Comparison(bool batchNorm) =>
        new(batchNorm, [.. Of(batchNorm, reused: false).Select(r => r.TestError)], [.. Of(batchNorm, reused: true).Select(r => r.TestError)]);

    /// <summary>The text table <c>strata experiment transfer</c> prints: one row per network and start.</summary>
    public string SummaryTable() => TransferReport.SummaryTable(this).ToString();

    /// <summary>
    /// Writes report.md, runs.csv and the PNG chart into <paramref name="directory"/> (created if needed).
    /// <paramref name="dataSource"/>, where the data came from, is named in the report.
    /// </summary>
    public ExperimentReport WriteReport(string directory, string? dataSource = null) => TransferReport.Write(directory, this, dataSource);
}
